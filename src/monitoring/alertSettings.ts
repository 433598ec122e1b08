// Per-user alert thresholds. Defaults apply until a user changes them (PUT /alert-settings).
import { z } from "zod";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import { settingsDecider, type ChangeSettings } from "../shared/settingsStream.js";
import type { StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";

const thresholdList = z
  .array(z.number().int().min(0).max(365))
  .max(10)
  .refine((l) => new Set(l).size === l.length, "thresholds must be unique");

/**
 * Expiry alerts relative to the certificate's lifetime (issue #14, docs/alerts.md): "auto"
 * where the lifetime is shorter than the largest of ssl_expiry_days, "always", or "never".
 */
const relativeExpiryMode = z.enum(["auto", "always", "never"]);

/** Which kinds of certificate change alert as certificate_changed (docs/alerts.md). */
export const certificateChangeSettings = z.strictObject({
  /** Same names, same issuer organisation, same key type: the certificate was renewed as usual. */
  routine_renewal: z.boolean(),
  issuer_changed: z.boolean(),
  names_removed: z.boolean(),
  names_added: z.boolean(),
  key_weakened: z.boolean(),
  key_type_changed: z.boolean(),
  /** The new certificate was issued before the one it replaces (an old one served again). */
  moved_backwards: z.boolean(),
});
export type CertificateChangeSettings = z.infer<typeof certificateChangeSettings>;

/** The settings added with issue #14: optional in stored events (older ones lack them), defaulted when read. */
const lifetimeSettings = {
  ssl_relative_expiry: relativeExpiryMode,
  /** Alert when this fraction of the lifetime remains (ACME clients renew at one third). */
  ssl_relative_expiry_fraction: z.number().gt(0).lt(1),
  certificate_changes: certificateChangeSettings,
  /** ACME ARI (RFC 9773): the CA's window ended with the certificate still served. */
  renewal_overdue: z.boolean(),
  /** ACME ARI: the CA moved the window earlier (as before a mass revocation). */
  renewal_requested: z.boolean(),
};
/**
 * A time zone name in IANA's letter case ("europe/berlin" is Europe/Berlin), or undefined when
 * Intl knows none. Only the spelling: ICU resolves some current names to older aliases
 * (Europe/Kyiv to Europe/Kiev, Asia/Kolkata to Asia/Calcutta), and the name given is kept. An
 * alias typed in one case throughout is cased word by word (europe/kyiv is Europe/Kyiv).
 */
function canonicalTimeZone(tz: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (resolved.toLowerCase() === tz.toLowerCase()) return resolved;
  if (tz !== tz.toLowerCase() && tz !== tz.toUpperCase()) return tz;
  return tz
    .toLowerCase()
    .split(/([/_-])/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

/** An IANA time zone name ("Europe/Berlin", "UTC"), as Intl knows it, stored in its canonical spelling. */
const timeZone = z
  .string()
  .max(64)
  .refine((tz) => canonicalTimeZone(tz) !== undefined, "must be an IANA time zone name such as Europe/Berlin or UTC")
  .overwrite((tz) => canonicalTimeZone(tz) ?? tz);

export const alertSettingsSchema = z.strictObject({
  ssl_expiry_days: thresholdList,
  domain_expiry_days: thresholdList,
  /** Consecutive failed checks before check_failed is raised (one blip is not an outage). */
  check_failed_after: z.number().int().min(1).max(50),
  ...lifetimeSettings,
  /**
   * Where notifications state dates and times (issue #15). Optional in the event (settings
   * changed before it existed have none: UTC); the API always shows it.
   */
  time_zone: timeZone.optional(),
});
export type AlertSettings = z.infer<typeof alertSettingsSchema>;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  ssl_expiry_days: [30, 14, 7, 3, 1, 0],
  domain_expiry_days: [30, 14, 7, 3, 1, 0],
  check_failed_after: 3,
  ssl_relative_expiry: "auto",
  ssl_relative_expiry_fraction: 1 / 3,
  certificate_changes: {
    routine_renewal: false,
    issuer_changed: true,
    names_removed: true,
    names_added: true,
    key_weakened: true,
    key_type_changed: true,
    moved_backwards: true,
  },
  renewal_overdue: true,
  renewal_requested: true,
  time_zone: "UTC",
};

/** Settings as stored before issue #14's fields existed: those take their defaults. */
const storedAlertSettingsSchema = alertSettingsSchema.partial({
  ssl_relative_expiry: true,
  ssl_relative_expiry_fraction: true,
  certificate_changes: true,
  renewal_overdue: true,
  renewal_requested: true,
});
export type StoredAlertSettings = z.infer<typeof storedAlertSettingsSchema>;

export const withDefaults = (stored: StoredAlertSettings): AlertSettings => ({ ...DEFAULT_ALERT_SETTINGS, ...stored });

// Settings live on their own small stream per user ("alert_settings-<userId>").
export const alertSettingsStreamName = (userId: string): string => `alert_settings-${userId}`;

export const AlertSettingsChanged = defineEvent({
  type: "AlertSettingsChanged",
  version: 1,
  schema: z.object({ userId: z.uuid(), settings: storedAlertSettingsSchema, changedAt: z.iso.datetime() }),
});
export type AlertSettingsEvent = EventOf<typeof AlertSettingsChanged>;
export const alertSettingsCodec = eventCodec([AlertSettingsChanged] as const);

export const alertSettingsStream: StreamDefinition<ChangeSettings<AlertSettings>, AlertSettingsEvent, AlertSettings> = {
  codec: alertSettingsCodec,
  decider: settingsDecider("AlertSettingsChanged", DEFAULT_ALERT_SETTINGS, withDefaults),
};
