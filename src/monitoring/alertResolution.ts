// When an alert ends: the rules by which a new check result makes an open alert moot
// (issue #15, 1). Pure, like the policy that calls it (alertPolicy.ts): given the open
// alerts the domain's stream remembers and one check result, the alerts it resolves.
//
//   ssl_expiry     a successful SSL check whose earliest-expiring certificate is another
//                  fact (another subject or expiry instant): "renewed" when it expires later
//                  than the alerted one, "replaced" otherwise (a worse certificate is not a
//                  renewal; its own expiry raises its own alert)
//   domain_expiry  a registration check that finds another expiry date: "registration_renewed"
//                  when later, "registration_changed" when earlier
//   ssl_invalid    a successful SSL check with a valid chain (the chain was fixed)
//   check_failed   a successful check of the same kind (SSL or registration) (recovered)
//   grade_dropped  a successful SSL check graded at least as well as before the drop
//   ssl_revoked    a successful SSL check where no address serves the revoked certificate
//   renewal_overdue, renewal_requested  a successful SSL check serving another certificate
//                  than the one the CA's renewal window (ARI) was for (it was renewed)
//   certificate_changed  never: it reports an event, not a condition; acknowledge it.
// A failed check resolves nothing: it says nothing about certificates or registrations.
import { GRADES, type Grade, type SslCheckResult } from "../checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../checkers/registration/result.js";
import { ariCertificateId } from "../checkers/ari/certificateId.js";
import type { AlertType, ResolveReason } from "./checkEvents.js";

/** An alert raised and not resolved yet, as the stream remembers it. */
export interface OpenAlert {
  readonly alertId: string;
  readonly alertType: AlertType;
  readonly dedupeKey: string;
  readonly acknowledged: boolean;
}

export interface Resolution {
  readonly alertId: string;
  readonly alertType: AlertType;
  readonly dedupeKey: string;
  readonly reason: ResolveReason;
}

/**
 * The fact an expiry alert reports: its dedupe key without the threshold step
 * ("ssl_expiry:<subject>:<valid_to>" of "ssl_expiry:<subject>:<valid_to>:14"). The policy builds
 * expiry keys as `${expiryFact(...)}:${step}`, so the two cannot drift apart.
 */
export const expiryFact = (kind: "ssl_expiry" | "domain_expiry", factKey: string, expiresAt: string): string =>
  `${kind}:${factKey}:${expiresAt}`;
const factOf = (dedupeKey: string): string => dedupeKey.slice(0, dedupeKey.lastIndexOf(":"));
/** The expiry instant (ms) an expiry fact names: its last part, an RFC 3339 instant. */
const expiryOf = (fact: string): number => Date.parse(/\d{4}-\d\d-\d\dT[\d:.]+Z$/.exec(fact)?.[0] ?? "");
/** Whether `current` expires after the alerted fact (a renewal), rather than at or before it. */
const expiresLater = (alertedFact: string, current: string): boolean => Date.parse(current) > expiryOf(alertedFact);

/** grade_dropped keys end with ":<from>:<to>" (read from the end: fingerprints hold colons). */
const gradeBefore = (dedupeKey: string): Grade | undefined => dedupeKey.split(":").at(-2) as Grade | undefined;
const rank = (g: Grade | undefined) => (g === undefined ? -1 : GRADES.indexOf(g));

const resolve = (a: OpenAlert, reason: ResolveReason): Resolution => ({ alertId: a.alertId, alertType: a.alertType, dedupeKey: a.dedupeKey, reason });

export function resolvedBySsl(open: readonly OpenAlert[], result: SslCheckResult): Resolution[] {
  if (result.outcome === "failed") return [];
  const currentFact = expiryFact("ssl_expiry", result.earliest_expiry.subject, result.earliest_expiry.valid_to);
  const served = new Set(result.endpoints.flatMap((e) => (e.outcome === "ok" ? [e.fingerprint_sha256] : [])));
  // ARI names the certificate by its issuer's key and serial (RFC 9773 §4.1), as the keys do.
  const servedAriId = ariCertificateId(result.authority_key_identifier, result.serial_number);
  /** The ARI certificate id of "renewal_<kind>:<id>[:<instant>]" keys (base64url ids hold no colons). */
  const ariIdOf = (dedupeKey: string) => dedupeKey.split(":")[1];
  return open.flatMap((a): Resolution[] => {
    switch (a.alertType) {
      case "ssl_expiry":
        if (factOf(a.dedupeKey) === currentFact) return [];
        return [resolve(a, expiresLater(factOf(a.dedupeKey), result.earliest_expiry.valid_to) ? "renewed" : "replaced")];
      case "ssl_invalid":
        return result.chain_valid ? [resolve(a, "chain_fixed")] : [];
      case "check_failed":
        return a.dedupeKey.startsWith("check_failed:ssl:") ? [resolve(a, "check_recovered")] : [];
      case "grade_dropped": {
        const before = rank(gradeBefore(a.dedupeKey));
        return before >= 0 && rank(result.grade_trust_ignored) <= before ? [resolve(a, "grade_recovered")] : [];
      }
      case "ssl_revoked":
        // "ssl_revoked:<fingerprint>" (the fingerprint is colon-separated hex).
        return served.has(a.dedupeKey.slice("ssl_revoked:".length)) ? [] : [resolve(a, "renewed")];
      case "renewal_overdue":
      case "renewal_requested":
        return servedAriId !== null && ariIdOf(a.dedupeKey) !== servedAriId ? [resolve(a, "renewed")] : [];
      case "domain_expiry":
      case "certificate_changed":
        return [];
      default: {
        const _exhaustive: never = a.alertType;
        return _exhaustive;
      }
    }
  });
}

export function resolvedByRegistration(open: readonly OpenAlert[], result: RegistrationCheckResult): Resolution[] {
  if (result.outcome === "failed") return [];
  const expiry = result.expiry_date;
  const currentFact = expiry ? expiryFact("domain_expiry", result.domain, expiry) : null;
  return open.flatMap((a): Resolution[] => {
    if (a.alertType === "check_failed" && a.dedupeKey.startsWith("check_failed:whois:")) return [resolve(a, "check_recovered")];
    // No expiry date in the answer: nothing is known about a renewal.
    if (a.alertType === "domain_expiry" && expiry && factOf(a.dedupeKey) !== currentFact) {
      return [resolve(a, expiresLater(factOf(a.dedupeKey), expiry) ? "registration_renewed" : "registration_changed")];
    }
    return [];
  });
}
