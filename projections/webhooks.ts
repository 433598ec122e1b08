// Read model of webhooks: backs GET /webhooks and gives the delivery worker each webhook's
// URL and signing secret. It also queues deliveries on AlertRaised (webhookDeliveries.ts),
// so the outbox always matches the webhooks as they were when the alert was raised.
import type { Knex } from "knex";
import { webhookEventDefinitions } from "../src/webhooks/events.js";
import { AlertRaised } from "../src/monitoring/checkEvents.js";
import { eventCodec, type EventOf } from "../src/infrastructure/eventStore/eventCodec.js";
import type { RecordedEvent } from "../src/infrastructure/eventStore/eventStore.js";
import { defineProjection } from "../src/infrastructure/projections/projection.js";
import { queueAlertDeliveries } from "./webhookDeliveries.js";

export const WEBHOOKS_TABLE = "webhooks";

const definitions = [...webhookEventDefinitions, AlertRaised] as const;
const codec = eventCodec(definitions);

/** Updates the webhook row only if this event is newer than what the row reflects. */
const updateIfNewer = (trx: Knex.Transaction, webhookId: string, recorded: RecordedEvent, values: Record<string, unknown>) =>
  trx(WEBHOOKS_TABLE)
    .where({ id: webhookId })
    .andWhere("stream_revision", "<", recorded.revision.toString())
    .update({ ...values, stream_revision: recorded.revision.toString() });

export const webhooksProjection = defineProjection<EventOf<(typeof definitions)[number]>>({
  name: "webhooks",
  // Not the outbox: emptying it on a rebuild would re-send every past alert. Replays insert
  // nothing into it twice (delivery ids are derived from webhook and alert).
  tables: [WEBHOOKS_TABLE],
  codecs: [codec],
  async handle(trx, event, recorded) {
    switch (event.type) {
      case "WebhookCreated": {
        const d = event.data;
        await trx(WEBHOOKS_TABLE)
          .insert({
            id: d.webhookId,
            user_id: d.userId,
            url: d.url,
            alert_types: d.alertTypes,
            description: d.description,
            secret: d.secret,
            is_active: true,
            created_at: d.createdAt,
            updated_at: d.createdAt,
            stream_revision: recorded.revision.toString(),
          })
          .onConflict("id")
          .ignore();
        return;
      }
      case "WebhookUpdated": {
        const c = event.data.changes;
        const values: Record<string, unknown> = { updated_at: event.data.updatedAt };
        if (c.url !== undefined) values["url"] = c.url;
        if (c.alertTypes !== undefined) values["alert_types"] = c.alertTypes;
        if (c.description !== undefined) values["description"] = c.description;
        if (c.isActive !== undefined) values["is_active"] = c.isActive;
        await updateIfNewer(trx, event.data.webhookId, recorded, values);
        return;
      }
      case "WebhookDeleted":
        await updateIfNewer(trx, event.data.webhookId, recorded, { deleted_at: event.data.deletedAt });
        return;
      case "AlertRaised": {
        const wanting: { id: string }[] = await trx(WEBHOOKS_TABLE)
          .select("id")
          .where({ user_id: event.data.userId, is_active: true })
          .whereNull("deleted_at")
          .andWhereRaw("? = any(alert_types)", [event.data.alertType]);
        await queueAlertDeliveries(
          trx,
          wanting.map((w) => w.id),
          event.data,
          recorded.metadata,
        );
        return;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});
