// The notification delivery outbox (issue #15): one pending row per channel and alert event,
// inserted in the transaction of the channels projection's checkpoint, so delivery is
// at-least-once exactly as for webhooks (webhookDeliveries.ts, whose queue and worker send
// these rows too). A row stores the alert's facts; the message is rendered from them when sent.
import type { Knex } from "knex";
import type { EventMetadata } from "../src/infrastructure/eventStore/eventStore.js";
import type { EventOf } from "../src/infrastructure/eventStore/eventCodec.js";
import type { AlertAcknowledged, AlertRaised, AlertResolved } from "../src/monitoring/checkEvents.js";
import type { NotificationFacts } from "../src/notifications/facts.js";
import { deliveryIdFor } from "../src/webhooks/payload.js";
import type { DeliveryStatus } from "./webhookDeliveries.js";

export const NOTIFICATION_DELIVERIES_TABLE = "notification_deliveries";

export interface ChannelRoute {
  readonly id: string;
  readonly user_id: string;
  readonly type: string;
  readonly alert_types: readonly string[];
  readonly min_severity: "info" | "warning" | "critical";
  readonly tags: readonly string[];
}

export interface Notification {
  readonly channelId: string;
  readonly userId: string;
  readonly facts: NotificationFacts;
  /** The alert event's metadata: its trace context travels on to the delivery. */
  readonly cause: EventMetadata;
}

export function raisedFacts(a: EventOf<typeof AlertRaised>["data"]): NotificationFacts {
  return {
    event: "raised",
    alertId: a.alertId,
    domainId: a.domainId,
    hostname: a.hostname,
    alertType: a.alertType,
    severity: a.severity,
    title: a.title,
    message: a.message,
    thresholdDays: a.thresholdDays,
    dedupeKey: a.dedupeKey,
    triggeredAt: a.triggeredAt,
    at: a.triggeredAt,
    reason: null,
  };
}

/** The facts of a resolve or acknowledgement: those of the raise it follows, with its own event and time. */
export function followUpFacts(raised: NotificationFacts, event: EventOf<typeof AlertResolved> | EventOf<typeof AlertAcknowledged>): NotificationFacts {
  return event.type === "AlertResolved"
    ? { ...raised, event: "resolved", at: event.data.resolvedAt, reason: event.data.reason }
    : { ...raised, event: "acknowledged", at: event.data.acknowledgedAt, reason: null };
}

/** Queues the notifications, in one statement; ids derive from (channel, alert, event), so replays insert nothing twice. */
export async function queueNotifications(trx: Knex.Transaction, notifications: readonly Notification[]): Promise<void> {
  if (notifications.length === 0) return;
  const rows = notifications.map(({ channelId, userId, facts, cause }) => ({
    id: deliveryIdFor(channelId, `${facts.alertId}/${facts.event}`),
    channel_id: channelId,
    user_id: userId,
    alert_id: facts.alertId,
    event_type: `alert.${facts.event}`,
    is_test: false,
    payload: JSON.stringify(facts),
    status: "pending" satisfies DeliveryStatus,
    next_attempt_at: facts.at,
    created_at: trx.fn.now(),
    traceparent: typeof cause.traceparent === "string" ? cause.traceparent : null,
    tracestate: typeof cause.tracestate === "string" ? cause.tracestate : null,
  }));
  await trx(NOTIFICATION_DELIVERIES_TABLE).insert(rows).onConflict("id").ignore();
}
