// Read model of monitored domains: backs GET /domains and GET /domains/{id}. Each row keeps
// the last applied revision of its stream, so a replayed event changes nothing.
import type { Knex } from "knex";
import { domainEventCodec, type DomainEvent } from "../src/domains/events.js";
import { defineProjection } from "../src/infrastructure/projections/projection.js";
import type { RecordedEvent } from "../src/infrastructure/eventStore/eventStore.js";

export const DOMAINS_TABLE = "domains";

/** Updates the domain row only if this event is newer than what the row reflects. */
const updateIfNewer = (trx: Knex.Transaction, domainId: string, recorded: RecordedEvent, values: Record<string, unknown>) =>
  trx(DOMAINS_TABLE)
    .where({ id: domainId })
    .andWhere("stream_revision", "<", recorded.revision.toString())
    .update({ ...values, stream_revision: recorded.revision.toString() });

export const domainsProjection = defineProjection<DomainEvent>({
  name: "domains",
  tables: [DOMAINS_TABLE],
  codecs: [domainEventCodec],
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
        const values: Record<string, unknown> = { updated_at: event.data.updatedAt };
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
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});
