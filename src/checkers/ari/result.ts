// What one ACME Renewal Information (ARI, RFC 9773) look-up found for one certificate. Stored
// verbatim in RenewalInfoFetched events and re-validated when read back: this schema is the
// contract (add fields as optional, or version the event).
import { z } from "zod";

const instant = z.iso.datetime();

/** RFC 9773 §4.2 suggestedWindow: renew at a moment between start and end (UTC). */
export const renewalWindowSchema = z.object({ start: instant, end: instant });
export type RenewalWindow = z.infer<typeof renewalWindowSchema>;

export const renewalInfoSchema = z.object({
  /** RFC 9773 §4.1 certificate identifier: base64url(AKI keyIdentifier) "." base64url(serial). */
  certificate_id: z.string(),
  /** The leaf it is about (what the domain served when it was fetched). */
  fingerprint_sha256: z.string(),
  /** The ACME directory its renewalInfo URL came from. */
  directory_url: z.string(),
  outcome: z.enum(["ok", "failed"]),
  /** Null when the look-up failed. */
  renewal_window: renewalWindowSchema.nullable(),
  /** RFC 9773 §4.2 explanationURL: the CA's words on why the window is where it is; null when none. */
  explanation_url: z.string().nullable(),
  /** Why the look-up failed; null when it did not. */
  message: z.string().nullable(),
  fetched_at: instant,
  /** The earliest next look-up: Retry-After clamped to [1 minute, 1 day] (RFC 9773 §4.3), 6 hours without one or after an error. */
  next_fetch_at: instant,
});
export type RenewalInfo = z.infer<typeof renewalInfoSchema>;
