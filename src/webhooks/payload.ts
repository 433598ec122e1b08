// What a receiver gets: one JSON document per delivery, built once when the delivery is
// queued and stored, so every retry sends the same bytes under the same delivery id.
import { createHash, randomUUID } from "node:crypto";
import type { AlertType } from "../monitoring/checkEvents.js";

export const ALERT_RAISED = "alert.raised";

/** The AlertRaised fields a receiver sees (the shape of GET /alerts items). */
export interface AlertFacts {
  readonly alertId: string;
  readonly domainId: string;
  readonly hostname: string;
  readonly alertType: AlertType;
  readonly severity: "info" | "warning" | "critical";
  readonly title: string;
  readonly message: string;
  readonly thresholdDays: number | null;
  readonly triggeredAt: string;
}

export interface WebhookPayload {
  readonly id: string;
  readonly type: typeof ALERT_RAISED;
  readonly test: boolean;
  readonly data: {
    readonly alert: Record<string, unknown>;
    readonly domain: { readonly id: string; readonly hostname: string };
  };
}

// RFC 4122 name-based (v5) UUIDs under a namespace of our own.
const DELIVERY_NAMESPACE = Buffer.from("8f4b2c1e6d3a4f5e9b7c0a1d2e3f4a5b", "hex");

/**
 * The delivery id of (webhook, alert): the same on every replay of the alert, so queueing is
 * idempotent and receivers can de-duplicate on it.
 */
export function deliveryIdFor(webhookId: string, alertId: string): string {
  const hash = createHash("sha1").update(DELIVERY_NAMESPACE).update(`${webhookId}/${alertId}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function alertPayload(deliveryId: string, alert: AlertFacts, test = false): WebhookPayload {
  return {
    id: deliveryId,
    type: ALERT_RAISED,
    test,
    data: {
      alert: {
        id: alert.alertId,
        domain_id: alert.domainId,
        hostname: alert.hostname,
        alert_type: alert.alertType,
        severity: alert.severity,
        title: alert.title,
        message: alert.message,
        threshold_days: alert.thresholdDays,
        triggered_at: alert.triggeredAt,
      },
      domain: { id: alert.domainId, hostname: alert.hostname },
    },
  };
}

/** A synthetic alert for POST /webhooks/{id}/test, marked `test: true`. */
export function testPayload(deliveryId: string, alertType: AlertType, now: Date): WebhookPayload {
  return alertPayload(
    deliveryId,
    {
      alertId: randomUUID(),
      domainId: "00000000-0000-4000-8000-000000000000",
      hostname: "example.com",
      alertType,
      severity: "info",
      title: "Test webhook from SSLTrackr",
      message: "This is a test delivery. No domain is affected.",
      thresholdDays: null,
      triggeredAt: now.toISOString(),
    },
    true,
  );
}
