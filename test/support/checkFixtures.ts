// Check results that satisfy the checkers' schemas (events carrying them are validated), and
// fake checkers that return them without touching the network while counting their calls.
import type { CertificateFacts, ProbeKind, SslCheckFailed, SslCheckOk } from "../../src/checkers/ssl/result.js";
import type { RegistrationCheckFailed, RegistrationCheckOk } from "../../src/checkers/registration/result.js";
import type { Checkers } from "../../src/monitoring/checkers.js";
import type { CheckKind } from "../../src/monitoring/checkJobs.js";
import { DAY_MS, type Clock } from "../../src/shared/clock.js";

export interface Target {
  readonly hostname: string;
  readonly port?: number;
  readonly now: Date;
}

const days = (from: Date, n: number) => new Date(from.getTime() + n * DAY_MS).toISOString();

const pickServed = ({ subject, issuer, valid_from, valid_to, days_remaining, fingerprint_sha256, self_signed }: CertificateFacts) =>
  ({ subject, issuer, valid_from, valid_to, days_remaining, fingerprint_sha256, self_signed });

/** A healthy certificate (grade A, 90 days left). */
export function sslCheckOk({ hostname, port = 443, now }: Target, overrides: Partial<SslCheckOk> = {}): SslCheckOk {
  const leaf: CertificateFacts = {
    depth: 0,
    subject: `CN=${hostname}`,
    issuer: "CN=Test CA",
    valid_from: days(now, -30),
    valid_to: days(now, 90),
    days_remaining: 90,
    serial_number: "01",
    fingerprint_sha256: "aa:bb",
    signature_algorithm: "sha256WithRSAEncryption",
    self_signed: false,
    ca_issuers: [],
  };
  const endpoint = {
    outcome: "ok" as const,
    ip_address: "192.0.2.1",
    subject: leaf.subject,
    issuer: leaf.issuer,
    valid_from: leaf.valid_from,
    valid_to: leaf.valid_to,
    days_remaining: leaf.days_remaining,
    serial_number: leaf.serial_number,
    tls_version: "TLSv1.3" as const,
    chain_valid: true,
    hsts: false,
    sans: [hostname],
    grade: "A" as const,
    grade_trust_ignored: "A" as const,
    grade_reasons: [],
    score: { protocol: 100, key_exchange: 90, cipher_strength: 90, total: 93 },
    chain_errors: [],
    chain: [leaf],
    served_certificates: [{ ...pickServed(leaf), position: 0, on_path: true, path_depth: 0 }],
    chain_issues: [],
    certification_path: { anchored: false, paths_found: 0, selected_by: "none" as const, served_list: "as_sent" as const },
    earliest_expiry: { depth: 0, subject: leaf.subject, valid_to: leaf.valid_to, days_remaining: 90, ip_address: "192.0.2.1" },
    key: { type: "EC", bits: 256, curve: "prime256v1" },
    signature_algorithm: leaf.signature_algorithm,
    fingerprint_sha256: leaf.fingerprint_sha256,
    cipher: { name: "TLS_AES_128_GCM_SHA256", openssl_name: "TLS_AES_128_GCM_SHA256" },
    protocols: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true },
    cipher_suites: {
      accepted: { TLSv1: [], "TLSv1.1": [], "TLSv1.2": [], "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] },
      forward_secrecy: true,
      aead: true,
      rc4: false,
      triple_des: false,
      cbc_only: false,
      anonymous: false,
      null_encryption: false,
    },
    key_exchange: { dh_min_bits: null, ecdh_min_bits: 253 },
    secure_renegotiation: null,
    ocsp_staple: null,
    revocation: "good" as const,
    revocation_source: "crl" as const,
    revocation_reason: null,
    revoked_at: null,
    hsts_details: { present: false, max_age: null, include_subdomains: false, preload: false, header: null, error: null },
  };
  return { ...endpoint, hostname, port, checked_at: now.toISOString(), endpoints: [endpoint], ...overrides };
}

/** No address answered. */
export function sslCheckFailed({ hostname, port = 443, now }: Target): SslCheckFailed {
  return {
    outcome: "failed",
    hostname,
    port,
    checked_at: now.toISOString(),
    reason: "connection_refused",
    message: "connect ECONNREFUSED 192.0.2.1:443",
    endpoints: [{ outcome: "failed", ip_address: "192.0.2.1", reason: "connection_refused", message: "connect ECONNREFUSED" }],
  };
}

/** A registration a year from expiry, answered by RDAP. */
export function registrationCheckOk({ hostname, now }: Target, overrides: Partial<RegistrationCheckOk> = {}): RegistrationCheckOk {
  return {
    outcome: "ok",
    hostname,
    domain: hostname,
    checked_at: now.toISOString(),
    raw: [],
    rdap_error: null,
    registrar: "Test Registrar",
    created_date: days(now, -1000),
    expiry_date: days(now, 365),
    days_remaining: 365,
    dnssec: null,
    nameservers: [`ns1.${hostname}`],
    source: "rdap",
    server: "https://rdap.test/",
    statuses: ["active"],
    registry_expiry_date: days(now, 365),
    registrar_expiry_date: null,
    field_sources: null,
    supplementary_errors: [],
    ...overrides,
  };
}

/** The registry did not answer in time. */
export function registrationCheckFailed({ hostname, now }: Target): RegistrationCheckFailed {
  return {
    outcome: "failed",
    hostname,
    domain: hostname,
    checked_at: now.toISOString(),
    raw: [],
    rdap_error: null,
    reason: "timeout",
    message: "no answer within 10000 ms",
    source: "rdap",
    server: "https://rdap.test/",
    retry_after_seconds: null,
  };
}

/**
 * Checkers answering as of `clock` (healthy, or failed for hostnames in `failing`), counting
 * calls per (kind, hostname). `hold`, when set, is awaited before answering (to keep checks
 * running).
 */
export class FakeCheckers implements Checkers {
  readonly calls = new Map<string, number>();
  readonly failing = new Set<string>();
  /** Per hostname, the kind of each SSL check asked for, in order. */
  readonly probes = new Map<string, ProbeKind[]>();
  hold: (() => Promise<void>) | undefined;

  constructor(private readonly clock: Clock) {}

  count(kind: CheckKind, hostname: string): number {
    return this.calls.get(`${kind} ${hostname}`) ?? 0;
  }

  /** An expiry check (carrying the grade of `lightFrom`) when asked for one, else a full probe. */
  ssl = (target: { hostname: string; port: number }, lightFrom?: SslCheckOk) => {
    const probe: ProbeKind = lightFrom ? "light" : "full";
    this.probes.set(target.hostname, [...(this.probes.get(target.hostname) ?? []), probe]);
    return this.answer("ssl", target.hostname, (now) =>
      this.failing.has(target.hostname)
        ? { ...sslCheckFailed({ ...target, now }), probe }
        : sslCheckOk({ ...target, now }, { probe, graded_at: lightFrom ? (lightFrom.graded_at ?? lightFrom.checked_at) : now.toISOString() }),
    );
  };

  registration = (hostname: string) =>
    this.answer("whois", hostname, (now) =>
      this.failing.has(hostname) ? registrationCheckFailed({ hostname, now }) : registrationCheckOk({ hostname, now }),
    );

  private async answer<T>(kind: CheckKind, hostname: string, result: (now: Date) => T): Promise<T> {
    const key = `${kind} ${hostname}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    await this.hold?.();
    return result(this.clock.now());
  }
}
