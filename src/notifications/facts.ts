// What a notification is about: the alert's facts as queued (projections/notificationDeliveries.ts),
// stored with the delivery so every retry renders the same message.
import type { AlertDraft } from "../monitoring/alertDraft.js";
import type { ResolveReason } from "../monitoring/checkEvents.js";

/** `dedupeKey` is the fact the alert reports ("ssl_expiry:<subject>:<valid_to>:<step>"): the PagerDuty dedup key derives from it. */
export interface NotificationFacts extends Omit<AlertDraft, "passedOverKeys"> {
  readonly event: "raised" | "resolved" | "acknowledged";
  readonly alertId: string;
  readonly domainId: string;
  readonly hostname: string;
  readonly triggeredAt: string;
  /** When this event happened (raised, resolved or acknowledged), UTC. */
  readonly at: string;
  readonly reason: ResolveReason | null;
}
