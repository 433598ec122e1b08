// The ssl_revoked alert: a served certificate that a believed source (a stapled or queried
// OCSP response, or a CRL whose signature verified; checkers/ssl/revocation) says was revoked.
// Raised once per certificate: its dedupe key names the certificate's fingerprint, so later
// checks of the same certificate raise nothing, and a new certificate that is revoked too
// alerts again. Pure; called from alertPolicy.ts.
import type { EndpointResult, SslCheckOk } from "../checkers/ssl/result.js";

export interface RevokedAlertDraft {
  readonly alertType: "ssl_revoked";
  readonly severity: "critical";
  readonly title: string;
  readonly message: string;
  readonly thresholdDays: null;
  readonly dedupeKey: string;
}

const SOURCES = { staple: "the OCSP response the server staples", ocsp: "the CA's OCSP responder", crl: "the CA's revocation list (CRL)" } as const;

/** One draft per revoked certificate served by any address of the check. */
export function revokedAlerts(result: SslCheckOk, hostname: string): RevokedAlertDraft[] {
  const revoked = result.endpoints.flatMap((e: EndpointResult) => (e.outcome === "ok" && e.revocation === "revoked" ? [e] : []));
  return revoked.map((e) => ({
    alertType: "ssl_revoked",
    severity: "critical",
    title: "SSL certificate has been revoked",
    message:
      `The SSL certificate for ${hostname} (serial ${e.serial_number}, issued by ${e.issuer}) was revoked on ${e.revoked_at?.slice(0, 10)}` +
      ` (reason: ${e.revocation_reason}), according to ${SOURCES[e.revocation_source!]}. Browsers that check revocation refuse it: replace it.`,
    thresholdDays: null,
    dedupeKey: `ssl_revoked:${e.fingerprint_sha256}`,
  }));
}

/** A chain error that ssl_revoked already reports (one fact, one alert). */
export const reportedAsRevoked = (result: SslCheckOk, reason: string): boolean => reason === "revoked" && result.revocation === "revoked";
