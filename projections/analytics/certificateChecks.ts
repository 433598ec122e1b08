// analytics.certificate_checks: the facts of the certificate every successful SSL check saw.
// Failed checks have no certificate; they show in daily_domain_status as "error".
import type { SslCheckOk } from "../../src/checkers/ssl/result.js";
import { dnAttribute } from "../../src/checkers/ssl/distinguishedName.js";
import type { Row } from "../../src/infrastructure/projections/rowWrites.js";

export interface SslCheckedData {
  readonly checkId: string;
  readonly domainId: string;
  readonly trigger: string;
  readonly result: SslCheckOk;
}

/** The row of a successful check (keyed by check_id: a replayed check is ignored). */
export function certificateCheckRow(userId: string, check: SslCheckedData): Row {
  const r = check.result;
  return {
    check_id: check.checkId,
    domain_id: check.domainId,
    user_id: userId,
    hostname: r.hostname,
    port: r.port,
    trigger: check.trigger,
    checked_at: r.checked_at,
    ip_address: r.ip_address,
    subject: r.subject,
    issuer: r.issuer,
    issuer_organization: dnAttribute(r.issuer, "O"),
    issuer_common_name: dnAttribute(r.issuer, "CN"),
    serial_number: r.serial_number,
    fingerprint_sha256: r.fingerprint_sha256,
    key_type: r.key.type,
    key_bits: r.key.bits,
    key_curve: r.key.curve,
    signature_algorithm: r.signature_algorithm,
    grade: r.grade,
    tls_version: r.tls_version,
    valid_from: r.valid_from,
    valid_to: r.valid_to,
    days_remaining_at_check: r.days_remaining,
    earliest_expiry: r.earliest_expiry.valid_to,
    chain_valid: r.chain_valid,
    hsts: r.hsts,
  };
}
