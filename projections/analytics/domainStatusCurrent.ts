// analytics.domain_status_current: the latest check facts of each domain, i.e. what its
// status is computed from (src/monitoring/domainStatus.ts). Like the domains read model, a
// failed check keeps the last known expiry dates and only marks the check as failed.
import type { Knex } from "knex";
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import { insertRows, type Row } from "../../src/infrastructure/projections/rowWrites.js";
import { factsClearedByMove } from "../checkTarget.js";
import { ANALYTICS } from "./tables.js";

/** The columns an event sets on its domain's row; null for events that set none. */
export function checkFacts(event: DomainStreamEvent): Row | null {
  switch (event.type) {
    case "SslChecked": {
      const r = event.data.result;
      return {
        ssl_checked_at: r.checked_at,
        ssl_check_failed: false,
        ssl_valid_to: r.valid_to,
        ssl_earliest_expiry: r.earliest_expiry.valid_to,
        ssl_chain_valid: r.chain_valid,
      };
    }
    case "SslCheckFailed":
      return { ssl_checked_at: event.data.result.checked_at, ssl_check_failed: true };
    case "WhoisChecked":
      return { whois_checked_at: event.data.result.checked_at, whois_check_failed: false, whois_lapsed: false, whois_expiry: event.data.result.expiry_date };
    // not_found after a registration was seen: lapsed (the status shows it as expired).
    case "WhoisCheckFailed":
      return { whois_checked_at: event.data.result.checked_at, whois_check_failed: true, whois_lapsed: event.data.result.reason === "not_found" };
    case "DomainUpdated": {
      // This table keeps no grade.
      const { ssl_grade: _grade, ...cleared } = factsClearedByMove(event.data.changes);
      return Object.keys(cleared).length > 0 ? cleared : null;
    }
    case "DomainAdded":
    case "DomainRemoved":
    case "AlertRaised":
    case "RenewalInfoFetched":
    case "AlertResolved":
    case "AlertAcknowledged":
      return null;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/**
 * Upserts the domains' rows, each the facts of its batch's events merged (the last value of a
 * column winning) with the revision of the last. Rows go one statement per set of columns:
 * a row inserted or updated beside rows with more columns would null the ones it lacks. A
 * stored row changes only where its revision is lower, so a replayed batch changes nothing.
 */
export async function writeCheckFacts(trx: Knex.Transaction, rows: Iterable<Row>): Promise<void> {
  const byColumns = new Map<string, Row[]>();
  for (const row of rows) {
    const columns = Object.keys(row).sort().join();
    const group = byColumns.get(columns);
    if (group) group.push(row);
    else byColumns.set(columns, [row]);
  }
  for (const group of byColumns.values()) {
    await insertRows(trx, ANALYTICS.domainStatusCurrent, group, { key: ["domain_id"], onConflict: { newerBy: "stream_revision" } });
  }
}
