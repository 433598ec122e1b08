// Read model of monitored domains: backs GET /domains and GET /domains/{id}. Each row keeps
// the revision of its stream it reflects, so a replayed event changes nothing.
import { domainStreamCodec, type DomainStreamEvent } from "../src/domains/domainStream.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { RowChanges, type Row } from "../src/infrastructure/projections/rowWrites.js";
import { factsClearedByMove } from "./checkTarget.js";

export const DOMAINS_TABLE = "domains";

const eventTypes = ["DomainAdded", "DomainUpdated", "DomainRemoved", "SslChecked", "SslCheckFailed", "WhoisChecked", "WhoisCheckFailed"] as const;
type DomainsEvent = Extract<DomainStreamEvent, { type: (typeof eventTypes)[number] }>;

/** The columns an event (other than DomainAdded) sets on its domain's row. */
function changes(event: Exclude<DomainsEvent, { type: "DomainAdded" }>): Row {
  switch (event.type) {
    case "DomainUpdated": {
      const c = event.data.changes;
      return {
        updated_at: event.data.updatedAt,
        ...factsClearedByMove(c),
        ...(c.hostname !== undefined ? { hostname: c.hostname } : {}),
        ...(c.port !== undefined ? { port: c.port } : {}),
        ...(c.isActive !== undefined ? { is_active: c.isActive } : {}),
        ...(c.notes !== undefined ? { notes: c.notes } : {}),
        ...(c.tags !== undefined ? { tags: c.tags } : {}),
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
      };
    }
    // A failed check keeps the last known certificate facts; the status turns to error.
    case "SslCheckFailed":
      return { ssl_check_failed: true, ssl_checked_at: event.data.result.checked_at };
    case "WhoisChecked":
      return { whois_expiry: event.data.result.expiry_date, whois_check_failed: false, whois_checked_at: event.data.result.checked_at };
    case "WhoisCheckFailed":
      return { whois_check_failed: true, whois_checked_at: event.data.result.checked_at };
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

export const domainsProjection = defineProjection({
  name: "domains",
  tables: [DOMAINS_TABLE],
  codec: domainStreamCodec,
  eventTypes,
  perStream: true,
  applyBatch: (trx, events) =>
    foldDomains(events).write(trx, DOMAINS_TABLE, { onConflict: { newerBy: "stream_revision" }, newerBy: "stream_revision" }),
});
