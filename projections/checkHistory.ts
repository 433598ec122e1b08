// Read models of check history: every SSL and registration check, newest first per domain.
// Back GET /domains/{id}/ssl, /whois and their /history. Rows are keyed by check id, so a
// replayed check is not stored twice.
import { domainStreamCodec, type DomainStreamEvent, type SslCheckedResult } from "../src/domains/domainStream.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { insertRows, storedMember, type Row } from "../src/infrastructure/projections/rowWrites.js";

export const SSL_CHECKS_TABLE = "ssl_checks";
export const WHOIS_CHECKS_TABLE = "whois_checks";

const eventTypes = ["SslChecked", "SslCheckFailed", "WhoisChecked", "WhoisCheckFailed"] as const;
type CheckEvent = Extract<DomainStreamEvent, { type: (typeof eventTypes)[number] }>;

/** Pure: the batch's rows of each table. */
export function foldChecks(events: readonly Decoded<CheckEvent>[]): { ssl: Row[]; whois: Row[] } {
  const rows = { ssl: [] as Row[], whois: [] as Row[] };
  for (const decoded of events) {
    const { event } = decoded;
    const { checkId, domainId, trigger, result } = event.data;
    // The result is stored whole, as the event holds it.
    const row = { id: checkId, domain_id: domainId, outcome: result.outcome, trigger, checked_at: result.checked_at, result: storedMember(decoded, "result") };
    (event.type === "SslChecked" || event.type === "SslCheckFailed" ? rows.ssl : rows.whois).push(row);
  }
  return rows;
}

export const checkHistoryProjection = defineProjection({
  name: "check_history",
  tables: [SSL_CHECKS_TABLE, WHOIS_CHECKS_TABLE],
  codec: domainStreamCodec,
  eventTypes,
  perStream: true,
  // The result goes into the row by reference to the log (storedMember): of it, the fold reads
  // only these.
  narrows: { SslChecked: { member: "result", keep: ["outcome", "checked_at"] satisfies (keyof SslCheckedResult)[] } },
  async applyBatch(trx, events) {
    const { ssl, whois } = foldChecks(events);
    await insertRows(trx, SSL_CHECKS_TABLE, ssl, { key: ["id"], onConflict: "ignore" });
    await insertRows(trx, WHOIS_CHECKS_TABLE, whois, { key: ["id"], onConflict: "ignore" });
  },
});
