// Read model of monitored domains: backs GET /domains and GET /domains/{id}. Each row keeps
// the last applied revision of its stream, so a replayed event changes nothing.
import type { Knex } from "knex";
import { domainStreamCodec, type DomainStreamEvent } from "../src/domains/domainStream.js";
import { defineProjection } from "../src/infrastructure/projections/projection.js";
import { factsClearedByMove } from "./checkTarget.js";
import type { RecordedEvent } from "../src/infrastructure/eventStore/eventStore.js";

export const DOMAINS_TABLE = "domains";

/** Updates the domain row only if this event is newer than what the row reflects. */
const updateIfNewer = (trx: Knex.Transaction, domainId: string, recorded: RecordedEvent, values: Record<string, unknown>) =>
  trx(DOMAINS_TABLE)
    .where({ id: domainId })
    .andWhere("stream_revision", "<", recorded.revision.toString())
    .update({ ...values, stream_revision: recorded.revision.toString() });

/**
 * Like updateIfNewer, for a check result: only while the domain is still at the checked
 * target. A result for a target the domain had already left (possible in streams written
 * before the decider discarded them) changes nothing.
 */
const updateCheckFacts = (
  trx: Knex.Transaction,
  domainId: string,
  recorded: RecordedEvent,
  target: { hostname: string; port?: number },
  values: Record<string, unknown>,
) => updateIfNewer(trx, domainId, recorded, values).andWhere(target);

export const domainsProjection = defineProjection<DomainStreamEvent>({
  name: "domains",
  tables: [DOMAINS_TABLE],
  codecs: [domainStreamCodec],
  async handle(trx, event, recorded) {
    switch (event.type) {
      case "DomainAdded": {
        const d = event.data;
        await trx(DOMAINS_TABLE)
          .insert({
            id: d.domainId,
            user_id: d.userId,
            hostname: d.hostname,
            port: d.port,
            is_active: true,
            notes: d.notes,
            tags: JSON.stringify(d.tags),
            created_at: d.addedAt,
            updated_at: d.addedAt,
            stream_revision: recorded.revision.toString(),
          })
          .onConflict("id")
          .ignore();
        return;
      }
      case "DomainUpdated": {
        const c = event.data.changes;
        const values: Record<string, unknown> = { updated_at: event.data.updatedAt, ...factsClearedByMove(c) };
        if (c.hostname !== undefined) values["hostname"] = c.hostname;
        if (c.port !== undefined) values["port"] = c.port;
        if (c.isActive !== undefined) values["is_active"] = c.isActive;
        if (c.notes !== undefined) values["notes"] = c.notes;
        if (c.tags !== undefined) values["tags"] = JSON.stringify(c.tags);
        await updateIfNewer(trx, event.data.domainId, recorded, values);
        return;
      }
      case "DomainRemoved":
        await updateIfNewer(trx, event.data.domainId, recorded, { deleted_at: event.data.removedAt });
        return;
      case "SslChecked": {
        const r = event.data.result;
        await updateCheckFacts(trx, event.data.domainId, recorded, { hostname: r.hostname, port: r.port }, {
          ssl_grade: r.grade,
          ssl_valid_to: r.valid_to,
          ssl_earliest_expiry: r.earliest_expiry.valid_to,
          ssl_chain_valid: r.chain_valid,
          ssl_check_failed: false,
          ssl_checked_at: r.checked_at,
        });
        return;
      }
      // A failed check keeps the last known certificate facts; the status turns to error.
      case "SslCheckFailed":
        await updateCheckFacts(trx, event.data.domainId, recorded, { hostname: event.data.result.hostname, port: event.data.result.port }, {
          ssl_check_failed: true,
          ssl_checked_at: event.data.result.checked_at,
        });
        return;
      case "WhoisChecked":
        await updateCheckFacts(trx, event.data.domainId, recorded, { hostname: event.data.result.hostname }, {
          whois_expiry: event.data.result.expiry_date,
          whois_check_failed: false,
          whois_checked_at: event.data.result.checked_at,
        });
        return;
      case "WhoisCheckFailed":
        await updateCheckFacts(trx, event.data.domainId, recorded, { hostname: event.data.result.hostname }, {
          whois_check_failed: true,
          whois_checked_at: event.data.result.checked_at,
        });
        return;
      case "AlertRaised":
        await updateIfNewer(trx, event.data.domainId, recorded, {});
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});
