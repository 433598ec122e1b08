// analytics.certificate_renewals ("time to renew"): a domain's certificate was replaced by
// one that expires later. The certificate a domain serves is the leaf of its check's
// top-level result; the baseline is the latest-expiring one seen before on the same
// hostname and port, so a load balancer still serving the old certificate on some
// addresses, or a hostname change, is not a renewal.
import type { Knex } from "knex";
import { daysUntil } from "../../src/shared/clock.js";
import type { SslCheckedData } from "./certificateChecks.js";
import { dnAttribute } from "./distinguishedName.js";
import { ANALYTICS } from "./tables.js";

interface Baseline {
  fingerprint_sha256: string;
  issuer: string;
  valid_to: Date;
}

export async function recordRenewal(trx: Knex.Transaction, userId: string, check: SslCheckedData): Promise<void> {
  const r = check.result;
  // A check is never its own baseline (its row already exists when the event is replayed).
  const baseline = await trx(ANALYTICS.certificateChecks)
    .where({ domain_id: check.domainId, hostname: r.hostname, port: r.port })
    .whereNot({ check_id: check.checkId })
    .orderBy([
      { column: "valid_to", order: "desc" },
      { column: "checked_at", order: "desc" },
    ])
    .first<Baseline | undefined>("fingerprint_sha256", "issuer", "valid_to");
  if (!baseline || baseline.fingerprint_sha256 === r.fingerprint_sha256) return;
  if (new Date(r.valid_to) <= baseline.valid_to) return;
  await trx(ANALYTICS.certificateRenewals)
    .insert({
      domain_id: check.domainId,
      new_fingerprint: r.fingerprint_sha256,
      user_id: userId,
      hostname: r.hostname,
      port: r.port,
      check_id: check.checkId,
      renewed_at: r.checked_at,
      days_before_expiry: daysUntil(baseline.valid_to, new Date(r.checked_at)),
      old_fingerprint: baseline.fingerprint_sha256,
      old_issuer: baseline.issuer,
      old_issuer_organization: dnAttribute(baseline.issuer, "O"),
      old_valid_to: baseline.valid_to.toISOString(),
      new_issuer: r.issuer,
      new_issuer_organization: dnAttribute(r.issuer, "O"),
      new_valid_from: r.valid_from,
      new_valid_to: r.valid_to,
    })
    .onConflict(["domain_id", "new_fingerprint"])
    .ignore();
}
