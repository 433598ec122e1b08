// The analytics read models (schema "analytics", docs/analytics.md): one projection, so its
// tables share one checkpoint and may read each other (the owner of a domain, the previous
// certificate) consistently. Each concept lives in its own module; a batch is read for the
// state it needs in one statement, folded in memory (fold.ts), and written set-based: one
// statement per table, plus one per point where the batch's events close days.
import { domainStreamCodec, type DomainStreamEvent, type SslCheckedResult } from "../../src/domains/domainStream.js";
import { defineProjection } from "../../src/infrastructure/projections/projection.js";
import { insertRows } from "../../src/infrastructure/projections/rowWrites.js";
import { readBatchState } from "./batchState.js";
import { recordDays, writeOpenDay } from "./dailyDomainStatus.js";
import { writeCheckFacts } from "./domainStatusCurrent.js";
import { batchNeeds, foldAnalytics } from "./fold.js";
import { ANALYTICS, ANALYTICS_SCHEMA } from "./tables.js";

/** The members of an SSL result the folds read (certificateChecks, certificateRenewals, domainStatusCurrent, fold). */
const SSL_RESULT_READ = [
  "hostname",
  "port",
  "ip_address",
  "checked_at",
  "subject",
  "issuer",
  "serial_number",
  "fingerprint_sha256",
  "key",
  "signature_algorithm",
  "grade",
  "tls_version",
  "valid_from",
  "valid_to",
  "days_remaining",
  "earliest_expiry",
  "chain_valid",
  "hsts",
] as const satisfies readonly (keyof SslCheckedResult)[];

export const analyticsProjection = defineProjection({
  name: "analytics",
  // For analysts: API writes never wait for it.
  consistency: "eventual",
  schema: ANALYTICS_SCHEMA,
  tables: Object.values(ANALYTICS),
  codec: domainStreamCodec,
  eventTypes: [...domainStreamCodec.types] as DomainStreamEvent["type"][],
  narrows: { SslChecked: { member: "result", keep: SSL_RESULT_READ } },
  async applyBatch(trx, events) {
    const rows = foldAnalytics(events, await readBatchState(trx, batchNeeds(events)));
    // Rows carrying a stream revision change only where it is newer; the others are keyed
    // by ids from the events: either way a replayed batch, or prefix of one, changes nothing.
    const newer = { newerBy: "stream_revision" } as const;
    for (const part of rows.parts) {
      await part.domains.write(trx, ANALYTICS.domains, { onConflict: newer, ...newer });
      await writeCheckFacts(trx, part.facts.values());
      if (part.closes) await recordDays(trx, part.closes);
    }
    await insertRows(trx, ANALYTICS.certificateChecks, rows.certificateChecks, { key: ["check_id"], onConflict: "ignore" });
    await insertRows(trx, ANALYTICS.certificateRenewals, rows.renewals, { key: ["domain_id", "new_fingerprint"], onConflict: "ignore" });
    await insertRows(trx, ANALYTICS.alerts, rows.alerts, { key: ["alert_id"], onConflict: "ignore" });
    await insertRows(trx, ANALYTICS.registrations, rows.registrations, { key: ["domain_id"], onConflict: newer });
    if (rows.openDay) await writeOpenDay(trx, rows.openDay);
  },
});
