// analytics.certificate_renewals ("time to renew"): a domain's certificate was replaced by
// one that expires later. The certificate a domain serves is the leaf of its check's
// top-level result; the baseline is the latest-expiring one seen before on the same
// hostname and port, so a load balancer still serving the old certificate on some
// addresses, or a hostname change, is not a renewal.
import { dnAttribute } from "../../src/checkers/ssl/distinguishedName.js";
import type { Row } from "../../src/infrastructure/projections/rowWrites.js";
import { daysUntil } from "../../src/shared/clock.js";
import type { SslCheckedData } from "./certificateChecks.js";

/** The latest-expiring certificate seen on a domain, hostname and port (instants as ISO strings). */
export interface Baseline {
  readonly fingerprint_sha256: string;
  readonly issuer: string;
  readonly valid_to: string;
  readonly checked_at: string;
}

/** What a baseline is kept per. */
export const certificateKey = (domainId: string, hostname: string, port: number) => JSON.stringify([domainId, hostname, port]);

/** The order of certificate_checks' lookup: later expiry first, then the later check. */
const laterThan = (a: Baseline, b: Baseline) =>
  Date.parse(a.valid_to) - Date.parse(b.valid_to) || Date.parse(a.checked_at) - Date.parse(b.checked_at);

/**
 * Pure: the renewals among a batch's successful SSL checks, fed in log order. Starts from the
 * baselines stored before the batch (the batch's own checks left out, so a replayed check is
 * never its own baseline) and moves each as the batch's checks see later certificates.
 */
export class RenewalFold {
  /** Keyed like the table, (domain_id, new_fingerprint): the first renewal to a certificate stands. */
  readonly renewals = new Map<string, Row>();
  private readonly baselines: Map<string, Baseline>;

  constructor(stored: ReadonlyMap<string, Baseline>) {
    this.baselines = new Map(stored);
  }

  see(userId: string, check: SslCheckedData): void {
    const r = check.result;
    const key = certificateKey(check.domainId, r.hostname, r.port);
    const baseline = this.baselines.get(key);
    const seen: Baseline = { fingerprint_sha256: r.fingerprint_sha256, issuer: r.issuer, valid_to: r.valid_to, checked_at: r.checked_at };
    if (!baseline || laterThan(seen, baseline) > 0) this.baselines.set(key, seen);
    if (!baseline || baseline.fingerprint_sha256 === r.fingerprint_sha256) return;
    if (Date.parse(r.valid_to) <= Date.parse(baseline.valid_to)) return;
    const renewalKey = JSON.stringify([check.domainId, r.fingerprint_sha256]);
    if (this.renewals.has(renewalKey)) return;
    this.renewals.set(renewalKey, {
      domain_id: check.domainId,
      new_fingerprint: r.fingerprint_sha256,
      user_id: userId,
      hostname: r.hostname,
      port: r.port,
      check_id: check.checkId,
      renewed_at: r.checked_at,
      days_before_expiry: daysUntil(new Date(baseline.valid_to), new Date(r.checked_at)),
      old_fingerprint: baseline.fingerprint_sha256,
      old_issuer: baseline.issuer,
      old_issuer_organization: dnAttribute(baseline.issuer, "O"),
      old_valid_to: new Date(baseline.valid_to).toISOString(),
      new_issuer: r.issuer,
      new_issuer_organization: dnAttribute(r.issuer, "O"),
      new_valid_from: r.valid_from,
      new_valid_to: r.valid_to,
    });
  }
}
