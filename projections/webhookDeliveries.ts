// The webhook delivery outbox. On AlertRaised, one pending delivery row per webhook that
// wants it (same user, active, alert type selected) is inserted in the same transaction as
// the webhooks projection's checkpoint: once an alert is projected its deliveries exist, and
// a crash before the commit replays the alert. That is what makes delivery at-least-once.
//
// Queued by the webhooks projection rather than by a projection of its own: matching must
// see the webhooks as they were at the alert's position. With two checkpoints, a webhook
// created just before an alert could be missed, and a rebuild would send old alerts to
// webhooks created later.
//
// After queueing, a row's status, attempts and lease are operational state written by the
// delivery worker, not events: an attempt is a fact about our HTTP client, not about the
// user's webhook or alert, and recording each retry as an event would grow the log with
// noise and make the worker's claim (FOR UPDATE SKIP LOCKED, lease) impossible.
import type { Knex } from "knex";
import type { EventMetadata } from "../src/infrastructure/eventStore/eventStore.js";
import { alertPayload, ALERT_RAISED, deliveryIdFor, type AlertFacts } from "../src/webhooks/payload.js";

export const WEBHOOK_DELIVERIES_TABLE = "webhook_deliveries";

export type DeliveryStatus = "pending" | "delivered" | "dead" | "cancelled";

/** One delivery of an alert to one webhook that wants it. */
export interface AlertDelivery {
  readonly webhookId: string;
  readonly alert: AlertFacts & { userId: string };
  /** The alert event's metadata: its trace context travels on to the delivery. */
  readonly cause: EventMetadata;
}

/** Queues deliveries, in one statement. */
export async function queueAlertDeliveries(trx: Knex.Transaction, deliveries: readonly AlertDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  const rows = deliveries.map(({ webhookId, alert, cause }) => {
    const id = deliveryIdFor(webhookId, alert.alertId);
    return {
      id,
      webhook_id: webhookId,
      user_id: alert.userId,
      alert_id: alert.alertId,
      event_type: ALERT_RAISED,
      is_test: false,
      payload: JSON.stringify(alertPayload(id, alert)),
      status: "pending" satisfies DeliveryStatus,
      // Due since the alert was raised: an alert projected late is sent at once.
      next_attempt_at: alert.triggeredAt,
      created_at: trx.fn.now(),
      traceparent: typeof cause.traceparent === "string" ? cause.traceparent : null,
      tracestate: typeof cause.tracestate === "string" ? cause.tracestate : null,
    };
  });
  // The id is derived from (webhook, alert): a replay inserts nothing twice.
  await trx(WEBHOOK_DELIVERIES_TABLE).insert(rows).onConflict("id").ignore();
}
