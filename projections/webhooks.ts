// Read model of webhooks: backs GET /webhooks and gives the delivery worker each webhook's
// URL and signing secret. It also queues deliveries on AlertRaised (webhookDeliveries.ts),
// so the outbox always matches the webhooks as they were when the alert was raised: a batch
// is written in runs, the webhook changes before a run of alerts first.
import { webhookEventDefinitions } from "../src/webhooks/events.js";
import { AlertRaised } from "../src/monitoring/checkEvents.js";
import { eventCodec, type EventOf } from "../src/infrastructure/eventStore/eventCodec.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { RowChanges } from "../src/infrastructure/projections/rowWrites.js";
import { queueAlertDeliveries, type AlertDelivery } from "./webhookDeliveries.js";

export const WEBHOOKS_TABLE = "webhooks";

const definitions = [...webhookEventDefinitions, AlertRaised] as const;
type Event = EventOf<(typeof definitions)[number]>;
type AlertEvent = Extract<Event, { type: "AlertRaised" }>;
type WebhookEvent = Exclude<Event, AlertEvent>;
const isAlert = (d: Decoded<Event>): d is Decoded<AlertEvent> => d.event.type === "AlertRaised";

/** Pure: the batch's webhook rows, one insert or one patch per webhook. */
export function foldWebhooks(events: readonly Decoded<WebhookEvent>[]): RowChanges {
  const rows = new RowChanges("id");
  for (const { event, recorded } of events) {
    const stream_revision = recorded.revision.toString();
    switch (event.type) {
      case "WebhookCreated": {
        const d = event.data;
        rows.insert({
          id: d.webhookId,
          user_id: d.userId,
          url: d.url,
          alert_types: d.alertTypes,
          description: d.description,
          secret: d.secret,
          is_active: true,
          created_at: d.createdAt,
          updated_at: d.createdAt,
          stream_revision,
        });
        break;
      }
      case "WebhookUpdated": {
        const c = event.data.changes;
        rows.patch(event.data.webhookId, {
          updated_at: event.data.updatedAt,
          ...(c.url !== undefined ? { url: c.url } : {}),
          ...(c.alertTypes !== undefined ? { alert_types: c.alertTypes } : {}),
          ...(c.description !== undefined ? { description: c.description } : {}),
          ...(c.isActive !== undefined ? { is_active: c.isActive } : {}),
          stream_revision,
        });
        break;
      }
      case "WebhookDeleted":
        rows.patch(event.data.webhookId, { deleted_at: event.data.deletedAt, stream_revision });
        break;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
  return rows;
}

interface ActiveWebhook {
  readonly id: string;
  readonly user_id: string;
  readonly alert_types: readonly string[];
}

/** Pure: one delivery per alert and active webhook of its user that selected its type. */
export const matchDeliveries = (alerts: readonly Decoded<AlertEvent>[], webhooks: readonly ActiveWebhook[]): AlertDelivery[] =>
  alerts.flatMap(({ event: { data: alert }, recorded }) =>
    webhooks
      .filter((w) => w.user_id === alert.userId && w.alert_types.includes(alert.alertType))
      .map((w) => ({ webhookId: w.id, alert, cause: recorded.metadata })),
  );

/** Consecutive events of one kind. */
function runs(events: readonly Decoded<Event>[]): (Decoded<AlertEvent>[] | Decoded<WebhookEvent>[])[] {
  const out: Decoded<Event>[][] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (last && isAlert(last[0]!) === isAlert(e)) last.push(e);
    else out.push([e]);
  }
  return out as (Decoded<AlertEvent>[] | Decoded<WebhookEvent>[])[];
}

export const webhooksProjection = defineProjection({
  name: "webhooks",
  // Not the outbox: emptying it on a rebuild would re-send every past alert. Replays insert
  // nothing into it twice (delivery ids are derived from webhook and alert).
  tables: [WEBHOOKS_TABLE],
  codec: eventCodec(definitions),
  eventTypes: definitions.map((d) => d.type),
  async applyBatch(trx, events) {
    for (const run of runs(events)) {
      if (!isAlertRun(run)) {
        await foldWebhooks(run).write(trx, WEBHOOKS_TABLE, { onConflict: { newerBy: "stream_revision" }, newerBy: "stream_revision" });
        continue;
      }
      const webhooks: ActiveWebhook[] = await trx(WEBHOOKS_TABLE)
        .select("id", "user_id", "alert_types")
        .whereIn("user_id", [...new Set(run.map((a) => a.event.data.userId))])
        .where({ is_active: true })
        .whereNull("deleted_at");
      await queueAlertDeliveries(trx, matchDeliveries(run, webhooks));
    }
  },
});

function isAlertRun(run: Decoded<AlertEvent>[] | Decoded<WebhookEvent>[]): run is Decoded<AlertEvent>[] {
  return run.length > 0 && isAlert(run[0]!);
}
