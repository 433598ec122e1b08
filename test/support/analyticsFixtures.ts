// Successful SSL check results for a given certificate (issuer, validity, key, grade), built
// on the healthy result of checkFixtures so that they satisfy the checker's schema, with the
// top level, the one endpoint, the leaf and the earliest expiry all telling the same story.
import type { Grade, KeyFacts, SslCheckOk } from "../../src/checkers/ssl/result.js";
import { daysUntil } from "../../src/shared/clock.js";
import { sslCheckOk, type Target } from "./checkFixtures.js";

export interface CertificateSpec {
  readonly fingerprint: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly grade?: Grade;
  readonly key?: KeyFacts;
}

export function sslCheckOfCertificate(target: Target, cert: CertificateSpec): SslCheckOk {
  const healthy = sslCheckOk(target);
  const { hostname, port, checked_at, endpoints: _endpoints, ...endpoint } = healthy;
  const days_remaining = daysUntil(new Date(cert.validTo), target.now);
  const dates = { valid_from: cert.validFrom, valid_to: cert.validTo, days_remaining };
  const leaf = { ...healthy.chain[0]!, ...dates, issuer: cert.issuer, fingerprint_sha256: cert.fingerprint };
  const grade = cert.grade ?? endpoint.grade;
  const served = {
    ...endpoint,
    ...dates,
    issuer: cert.issuer,
    fingerprint_sha256: cert.fingerprint,
    grade,
    grade_trust_ignored: grade,
    key: cert.key ?? endpoint.key,
    chain: [leaf],
    earliest_expiry: { ...endpoint.earliest_expiry, valid_to: cert.validTo, days_remaining },
  };
  return { ...served, hostname, port, checked_at, endpoints: [served] };
}
