// Read model of monitored domains: backs GET /domains and GET /domains/{id}. Each row keeps
// the revision of its stream it reflects, so a replayed event changes nothing.
import type { Knex } from "knex";
import { domainStreamCodec, type DomainStreamEvent, type SslCheckedResult } from "../src/domains/domainStream.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { RowChanges, type Row } from "../src/infrastructure/projections/rowWrites.js";
import { factsClearedByMove } from "./checkTarget.js";
import { storableInstant } from "../src/shared/instant.js";

/** Two thirds into the lifetime: when ACME clients renew by default (a third remaining). */
const lifetimeDueAt = (validFrom: string, validTo: string) => {
  const from = Date.parse(validFrom);
  return new Date(from + ((Date.parse(validTo) - from) * 2) / 3).toISOString();
};

/** This table's renewal facts (issue #14), cleared with the SSL facts when the domain moves. */
const RENEWAL_FACTS_CLEARED = {
  ssl_fingerprint: null,
  ssl_lifetime_due_at: null,
  ari_fingerprint: null,
  ari_window_start: null,
  ari_window_end: null,
  ari_explanation_url: null,
  ari_fetched_at: null,
};

export const DOMAINS_TABLE = "domains";

// Every event of the stream, alerts included though they change nothing here: a row's
// stream_revision is then its stream's revision, so an inline write (below) can tell that the
// row reflects every event before its own.
const eventTypes = [
  "DomainAdded",
  "DomainUpdated",
  "DomainRemoved",
  "SslChecked",
  "SslCheckFailed",
  "WhoisChecked",
  "WhoisCheckFailed",
  "RenewalInfoFetched",
  "AlertRaised",
  "AlertResolved",
  "AlertAcknowledged",
] as const satisfies readonly DomainStreamEvent["type"][];
type DomainsEvent = DomainStreamEvent;

/** The columns an event (other than DomainAdded) sets on its domain's row. */
function changes(event: Exclude<DomainsEvent, { type: "DomainAdded" }>): Row {
  switch (event.type) {
    case "DomainUpdated": {
      const c = event.data.changes;
      return {
        updated_at: event.data.updatedAt,
        ...factsClearedByMove(c),
        ...(c.hostname !== undefined || c.port !== undefined ? RENEWAL_FACTS_CLEARED : {}),
        ...(c.hostname !== undefined ? { hostname: c.hostname } : {}),
        ...(c.port !== undefined ? { port: c.port } : {}),
        ...(c.isActive !== undefined ? { is_active: c.isActive } : {}),
        ...(c.notes !== undefined ? { notes: c.notes } : {}),
        ...(c.tags !== undefined ? { tags: c.tags } : {}),
        // As stored: an instant stored outside the years 0001-9999 is read clamped (src/shared/instant.ts).
        ...(c.mutedUntil !== undefined ? { muted_until: storableInstant(c.mutedUntil) } : {}),
      };
    }
    case "DomainRemoved":
      return { deleted_at: event.data.removedAt };
    case "SslChecked": {
      const r = event.data.result;
      return {
        ssl_grade: r.grade,
        ssl_valid_to: r.valid_to,
        ssl_earliest_expiry: r.earliest_expiry.valid_to,
        ssl_chain_valid: r.chain_valid,
        ssl_check_failed: false,
        ssl_checked_at: r.checked_at,
        ssl_fingerprint: r.fingerprint_sha256,
        ssl_lifetime_due_at: lifetimeDueAt(r.valid_from, r.valid_to),
      };
    }
    // A failed look-up keeps the last window the CA gave.
    case "RenewalInfoFetched": {
      const { info } = event.data;
      if (!info.renewal_window) return {};
      return {
        ari_fingerprint: info.fingerprint_sha256,
        ari_window_start: info.renewal_window.start,
        ari_window_end: info.renewal_window.end,
        ari_explanation_url: info.explanation_url,
        ari_fetched_at: info.fetched_at,
      };
    }
    // A failed check keeps the last known certificate facts; the status turns to error.
    case "SslCheckFailed":
      return { ssl_check_failed: true, ssl_checked_at: event.data.result.checked_at };
    case "WhoisChecked":
      return { whois_expiry: event.data.result.expiry_date, whois_check_failed: false, whois_lapsed: false, whois_checked_at: event.data.result.checked_at };
    // The registry saying "no such domain" after a registration was seen (whois_expiry kept)
    // means it lapsed: the status query shows it as expired, not as a failed check.
    case "WhoisCheckFailed":
      return { whois_check_failed: true, whois_lapsed: event.data.result.reason === "not_found", whois_checked_at: event.data.result.checked_at };
    // The alerts read model shows these.
    case "AlertRaised":
    case "AlertResolved":
    case "AlertAcknowledged":
      return {};
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

type CheckEvent = Extract<DomainsEvent, { type: "SslChecked" | "SslCheckFailed" | "WhoisChecked" | "WhoisCheckFailed" }>;
const isCheck = (event: DomainsEvent): event is CheckEvent =>
  event.type === "SslChecked" || event.type === "SslCheckFailed" || event.type === "WhoisChecked" || event.type === "WhoisCheckFailed";

/** Whether a check result is for the target the domain is at (an SSL result also by port). */
const forTarget = (event: CheckEvent, target: { hostname: string; port: number }) =>
  event.data.result.hostname === target.hostname && (event.type.startsWith("Whois") || ("port" in event.data.result && event.data.result.port === target.port));

/**
 * Pure: the batch's rows, one insert or one patch per domain. A check result for a target the
 * domain has left in this batch changes nothing (the decider discards such results since
 * issue #10; streams written before may hold them).
 */
export function foldDomains(events: readonly Decoded<DomainsEvent>[]): RowChanges {
  const rows = new RowChanges("id");
  const targets = new Map<string, { hostname: string; port: number }>();
  for (const { event, recorded } of events) {
    const stream_revision = recorded.revision.toString();
    const id = event.data.domainId;
    if (event.type === "DomainUpdated" && (event.data.changes.hostname !== undefined || event.data.changes.port !== undefined)) {
      const was = targets.get(id);
      if (was) targets.set(id, { hostname: event.data.changes.hostname ?? was.hostname, port: event.data.changes.port ?? was.port });
      else if (event.data.changes.hostname !== undefined && event.data.changes.port !== undefined) targets.set(id, { hostname: event.data.changes.hostname, port: event.data.changes.port });
    }
    if (isCheck(event)) {
      const target = targets.get(id);
      if (target && !forTarget(event, target)) continue;
    }
    if (event.type !== "DomainAdded") {
      rows.patch(id, { ...changes(event), stream_revision });
      continue;
    }
    const d = event.data;
    targets.set(id, { hostname: d.hostname, port: d.port });
    rows.insert({
      id: d.domainId,
      user_id: d.userId,
      hostname: d.hostname,
      port: d.port,
      is_active: true,
      notes: d.notes,
      tags: d.tags,
      created_at: d.addedAt,
      updated_at: d.addedAt,
      stream_revision,
    });
  }
  return rows;
}

const writeDomains = (trx: Knex.Transaction, rows: RowChanges) =>
  rows.write(trx, DOMAINS_TABLE, { onConflict: { newerBy: "stream_revision" }, newerBy: "stream_revision" });

/**
 * Inline (one append's events, in its transaction): a row is patched only where it already
 * reflects every event of its stream before these (its stream_revision is the one before the
 * first); a patch over a gap would make the runner's guard skip the missing events for good.
 * Locked in id order, so that concurrent appends lock rows in one order.
 */
async function applyInline(trx: Knex.Transaction, events: readonly Decoded<DomainsEvent>[]): Promise<boolean> {
  const rows = foldDomains(events);
  const ids = [...rows.patches.keys()].sort();
  if (ids.length > 0) {
    const first = new Map<string, bigint>();
    for (const { event, recorded } of events) if (!first.has(event.data.domainId)) first.set(event.data.domainId, recorded.revision);
    const { rows: stored } = await trx.raw<{ rows: { id: string; stream_revision: string }[] }>(
      `select id, stream_revision from ${DOMAINS_TABLE} where id = any(?::uuid[]) order by id for update`,
      [ids],
    );
    const revisionOf = new Map(stored.map((r) => [r.id, BigInt(r.stream_revision)]));
    if (ids.some((id) => (revisionOf.get(id) ?? -2n) < first.get(id)! - 1n)) return false;
  }
  await writeDomains(trx, rows);
  return true;
}

/** The members of an SSL result `changes` and `forTarget` read: all a rebuild sends of one. */
const SSL_RESULT_READ = [
  "grade",
  "valid_from",
  "valid_to",
  "earliest_expiry",
  "chain_valid",
  "checked_at",
  "fingerprint_sha256",
  "hostname",
  "port",
] as const satisfies readonly (keyof SslCheckedResult)[];

export const domainsProjection = defineProjection({
  name: "domains",
  tables: [DOMAINS_TABLE],
  codec: domainStreamCodec,
  eventTypes,
  perStream: true,
  narrows: { SslChecked: { member: "result", keep: SSL_RESULT_READ } },
  applyBatch: (trx, events) => writeDomains(trx, foldDomains(events)),
  applyInline,
});
