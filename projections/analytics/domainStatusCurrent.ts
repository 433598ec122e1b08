// analytics.domain_status_current: the latest check facts of each domain, i.e. what its
// status is computed from (src/monitoring/domainStatus.ts). Like the domains read model, a
// failed check keeps the last known expiry dates and only marks the check as failed.
import type { Knex } from "knex";
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import type { RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";
import { factsClearedByMove } from "../checkTarget.js";
import { ANALYTICS } from "./tables.js";

function checkFacts(event: DomainStreamEvent): Record<string, unknown> | null {
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
      return { whois_checked_at: event.data.result.checked_at, whois_check_failed: false, whois_expiry: event.data.result.expiry_date };
    case "WhoisCheckFailed":
      return { whois_checked_at: event.data.result.checked_at, whois_check_failed: true };
    case "DomainUpdated": {
      // This table keeps no grade.
      const { ssl_grade: _grade, ...cleared } = factsClearedByMove(event.data.changes);
      return Object.keys(cleared).length > 0 ? cleared : null;
    }
    case "DomainAdded":
    case "DomainRemoved":
    case "AlertRaised":
      return null;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export async function projectDomainStatus(trx: Knex.Transaction, event: DomainStreamEvent, recorded: RecordedEvent): Promise<void> {
  const facts = checkFacts(event);
  if (!facts) return;
  const revision = recorded.revision.toString();
  await trx(ANALYTICS.domainStatusCurrent)
    .insert({ domain_id: event.data.domainId, ...facts, stream_revision: revision })
    .onConflict("domain_id")
    .merge([...Object.keys(facts), "stream_revision"])
    .where(`${ANALYTICS.domainStatusCurrent}.stream_revision`, "<", revision);
}
