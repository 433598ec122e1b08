// An alert as a rule drafts it, before the policy stamps it with ids, the domain and the time.
// Shared by the policy and the rule modules it calls (expiry, certificate changes, ARI).
import type { AlertSeverity, AlertType } from "./checkEvents.js";

export interface AlertDraft {
  readonly alertType: AlertType;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly message: string;
  readonly thresholdDays: number | null;
  /** What the alert is about: one fact alerts once. */
  readonly dedupeKey: string;
  /** Dedupe keys handled by this alert (looser thresholds crossed by the same check). */
  readonly passedOverKeys?: string[];
}
