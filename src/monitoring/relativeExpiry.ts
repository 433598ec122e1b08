// Expiry alerts that fit the certificate's lifetime (issue #14; docs/alerts.md). Fixed
// thresholds of 30/14/7 days mean nothing for a 6-day or 24-hour certificate: they would fire
// on every new one. Where the lifetime (notAfter - notBefore) is shorter than the largest
// configured threshold (mode "auto"), or the user asks for it ("always"), the certificate is
// reported when a fraction of its lifetime remains (default one third: when ACME clients renew
// by default, e.g. certbot 30 days before a 90-day certificate expires; RFC 9773 §1 describes
// clients renewing once a share of the validity period has passed) and when it has expired. Pure.
import { DAY_MS } from "../shared/clock.js";
import type { AlertDraft } from "./alertDraft.js";
import { expirySeverity, expiryText } from "./alertMessages.js";
import type { AlertSettings } from "./alertSettings.js";

const HOUR_MS = 3_600_000;

export interface ExpiringCertificate {
  /** Names the certificate in dedupe keys (its subject, as the fixed thresholds do). */
  readonly factKey: string;
  readonly hostname: string;
  readonly validFrom: string;
  readonly validTo: string;
}

/** The certificate's lifetime in days (fractional): notAfter - notBefore. */
export const lifetimeDays = (validFrom: string, validTo: string): number => (Date.parse(validTo) - Date.parse(validFrom)) / DAY_MS;

/** Whether expiry is judged relative to the lifetime rather than by the fixed day thresholds. */
export function usesRelativeExpiry(lifetime: number, settings: Pick<AlertSettings, "ssl_relative_expiry" | "ssl_expiry_days">): boolean {
  if (settings.ssl_relative_expiry !== "auto") return settings.ssl_relative_expiry === "always";
  return settings.ssl_expiry_days.length > 0 && lifetime < Math.max(...settings.ssl_expiry_days);
}

/** "2 days", "1 day", "8 hours", "less than an hour". */
export function duration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (ms >= DAY_MS) return plural(Math.floor(ms / DAY_MS), "day");
  if (ms >= HOUR_MS) return plural(Math.floor(ms / HOUR_MS), "hour");
  return "less than an hour";
}

const fractionText = (f: number) => (Math.abs(f - 1 / 3) < 1e-9 ? "a third" : `${Math.round(f * 100)}%`);

/**
 * The relative expiry alert due for `cert` at `now`: "has expired" once notAfter has passed
 * (the same fact, and dedupe key, as the fixed thresholds' "has expired"), else the renewal
 * point once `fraction` of the lifetime remains; none before. Two steps, so a check that finds
 * the certificate expired passes the renewal point over.
 */
export function relativeExpiryAlerts(cert: ExpiringCertificate, fraction: number, now: Date): AlertDraft[] {
  const validTo = Date.parse(cert.validTo);
  const lifetimeMs = validTo - Date.parse(cert.validFrom);
  const remainingMs = validTo - now.getTime();
  const keyOf = (step: string) => `ssl_expiry:${cert.factKey}:${cert.validTo}:${step}`;
  const renewalKey = keyOf(`lifetime-${fraction.toFixed(4)}`);
  if (remainingMs < 0) {
    const remainingDays = Math.floor(remainingMs / DAY_MS);
    return [
      {
        alertType: "ssl_expiry",
        severity: expirySeverity(0),
        ...expiryText("SSL certificate", cert.hostname, cert.validTo, remainingDays, now),
        thresholdDays: 0,
        dedupeKey: keyOf("expired"),
        passedOverKeys: [renewalKey],
      },
    ];
  }
  if (remainingMs > fraction * lifetimeMs) return [];
  return [
    {
      alertType: "ssl_expiry",
      severity: "warning",
      title: `SSL certificate expires in ${duration(remainingMs)}`,
      message:
        `The SSL certificate for ${cert.hostname} expires on ${cert.validTo.slice(0, 16).replace("T", " ")} UTC, ` +
        `${duration(remainingMs)} from now: ${fractionText(fraction)} of its ${duration(lifetimeMs)} lifetime remains, ` +
        `by when it should have been renewed.`,
      // Not a day threshold: the API's threshold_days is null for the relative step.
      thresholdDays: null,
      dedupeKey: renewalKey,
    },
  ];
}
