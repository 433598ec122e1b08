// Which SSL check a job runs: a full probe (every protocol and suite, graded: ~33 connections
// per address) or an expiry check (one handshake and one HTTPS request per address) that
// carries the last full probe's grade over. Pure: the last full probe and the clock come in.
//
// Full probe: a person asked (POST /check) or the domain was just added; no full probe on
// record (first check); the last one is older than the full-probe interval. Otherwise an
// expiry check, which the checker itself turns into a full probe when the address set or a
// served certificate changed since the last full probe (checkSsl's `lightFrom`). Both kinds look
// up revocation (stapled OCSP, CRL, OCSP responder): it can change while the certificate does
// not, and its caches (until each CRL's or answer's nextUpdate) keep that cheap; see
// docs/ssl-grading.md "Revocation".
import type { SslCheckOk } from "../checkers/ssl/result.js";
import type { CheckTrigger } from "./checkEvents.js";

/** When `probe` was graded (results recorded before light checks were all full probes). */
export const gradedAt = (probe: SslCheckOk): Date => new Date(probe.graded_at ?? probe.checked_at);

/** The full probe an expiry check may carry over, or undefined when a full probe is due. */
export function expiryCheckBasis(
  trigger: CheckTrigger,
  lastFullProbe: SslCheckOk | null,
  now: Date,
  fullProbeIntervalMs: number,
): SslCheckOk | undefined {
  if (trigger !== "scheduled" || !lastFullProbe) return undefined;
  if (now.getTime() - gradedAt(lastFullProbe).getTime() >= fullProbeIntervalMs) return undefined;
  return lastFullProbe;
}
