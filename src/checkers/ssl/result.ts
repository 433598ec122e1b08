// The result of an SSL check. It is stored verbatim in SslChecked / SslCheckFailed events
// and re-validated when read back, so this schema is the contract; the TS types derive from it.
// Top-level names of a successful check are those of GET /domains/{id}/ssl (api-v1.md),
// everything else is additive.
import { z } from "zod";
import { PATH_SELECTIONS } from "./pathBuilding.js";

export const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export const tlsVersionSchema = z.enum(TLS_VERSIONS);
export type TlsVersion = z.infer<typeof tlsVersionSchema>;

/** Best first. T (untrusted) and M (name mismatch) rank below F: the site is unusable in browsers. */
export const GRADES = ["A+", "A", "A-", "B", "C", "D", "E", "F", "M", "T"] as const;
export const gradeSchema = z.enum(GRADES);
export type Grade = z.infer<typeof gradeSchema>;

const isoDate = z.iso.datetime();

export const certificateSchema = z.object({
  /** 0 = leaf, 1 = its issuer, ... */
  depth: z.number().int().min(0),
  /** RFC 4514 order (most specific first), e.g. "CN=example.com, O=Example, C=US". */
  subject: z.string(),
  issuer: z.string(),
  valid_from: isoDate,
  valid_to: isoDate,
  /** Whole days until valid_to, rounded down: negative once expired. */
  days_remaining: z.number().int(),
  /** Lower-case hex pairs joined by ":". */
  serial_number: z.string(),
  fingerprint_sha256: z.string(),
  signature_algorithm: z.string(),
  self_signed: z.boolean(),
  /** Authority Information Access "CA Issuers" URLs: where the issuer certificate can be fetched. */
  ca_issuers: z.array(z.string()),
});
export type CertificateFacts = z.infer<typeof certificateSchema>;

export const CHAIN_ERROR_REASONS = [
  "expired",
  "not_yet_valid",
  "self_signed",
  "unknown_issuer",
  "incomplete_chain",
  "hostname_mismatch",
  "revoked",
  "weak_signature",
  "invalid_signature",
  "other",
] as const;
export const chainErrorReasonSchema = z.enum(CHAIN_ERROR_REASONS);
export type ChainErrorReason = z.infer<typeof chainErrorReasonSchema>;

export const chainErrorSchema = z.object({
  reason: chainErrorReasonSchema,
  message: z.string(),
  /** Depth of the certificate concerned, when known. */
  depth: z.number().int().min(0).nullable(),
  /** OpenSSL's verification code (e.g. CERT_HAS_EXPIRED) when the error came from it. */
  code: z.string().nullable(),
});
export type ChainError = z.infer<typeof chainErrorSchema>;

export const earliestExpirySchema = certificateSchema
  .pick({ depth: true, subject: true, valid_to: true, days_remaining: true })
  .extend({ ip_address: z.string() });
export type EarliestExpiry = z.infer<typeof earliestExpirySchema>;

/** One certificate as the server sent it (RFC 8446 §4.4.2: the leaf first, the rest in any order). */
export const servedCertificateSchema = certificateSchema
  .pick({ subject: true, issuer: true, valid_from: true, valid_to: true, days_remaining: true, fingerprint_sha256: true, self_signed: true })
  .extend({
    /** Place in the server's list, 0 = the leaf. */
    position: z.number().int().min(0),
    /** The certificate is on the verified path (`chain`); a repeated copy is not. */
    on_path: z.boolean(),
    /** Its depth in `chain` when on the path, else null. */
    path_depth: z.number().int().min(0).nullable(),
  });
export type ServedCertificate = z.infer<typeof servedCertificateSchema>;

/** Problems with the list the server sends, as SSL Labs reports them ("Chain issues"); see docs/ssl-grading.md. */
export const CHAIN_ISSUE_CODES = [
  "duplicate_certificates",
  "unrelated_certificates",
  "incorrect_order",
  "expired_extra_certificates",
  "contains_anchor",
] as const;
export const chainIssueCodeSchema = z.enum(CHAIN_ISSUE_CODES);
export type ChainIssueCode = z.infer<typeof chainIssueCodeSchema>;

export const chainIssueSchema = z.object({
  code: chainIssueCodeSchema,
  message: z.string(),
  /** `position`s in served_certificates concerned. */
  positions: z.array(z.number().int().min(0)),
});
export type ChainIssue = z.infer<typeof chainIssueSchema>;

/** How `chain` was chosen (RFC 4158 path building; see docs/ssl-grading.md). */
export const certificationPathSchema = z.object({
  /** `chain` ends at a root of the trust store. */
  anchored: z.boolean(),
  /** Distinct paths from the leaf to a trusted root among the served and trusted certificates. */
  paths_found: z.number().int().min(0),
  /** The rule that picked `chain` over the runner-up ("only_path" when there was one; "none" when no path reached a root). */
  selected_by: z.enum(PATH_SELECTIONS),
  /** "as_sent": read from the server's Certificate message; "linked": the server speaks only TLS 1.3, so the list is what the TLS stack could link (order, duplicates and unrelated extras unknown). */
  served_list: z.enum(["as_sent", "linked"]),
});
export type CertificationPath = z.infer<typeof certificationPathSchema>;

export const keySchema = z.object({
  /** "RSA", "RSA-PSS", "EC", "DSA", "Ed25519", "Ed448". */
  type: z.string(),
  bits: z.number().int(),
  /** Named curve for EC keys. */
  curve: z.string().nullable(),
});
export type KeyFacts = z.infer<typeof keySchema>;

export const cipherSchema = z.object({
  /** IANA name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
  name: z.string(),
  /** OpenSSL's name, e.g. ECDHE-RSA-AES128-GCM-SHA256. */
  openssl_name: z.string(),
});

export const protocolsSchema = z.record(tlsVersionSchema, z.boolean());
export type ProtocolSupport = z.infer<typeof protocolsSchema>;

export const cipherSuitesSchema = z.object({
  /** IANA names of the suites the server accepted, per protocol version. */
  accepted: z.record(tlsVersionSchema, z.array(z.string())),
  forward_secrecy: z.boolean(),
  aead: z.boolean(),
  rc4: z.boolean(),
  triple_des: z.boolean(),
  /** Block ciphers are offered but no AEAD suite. */
  cbc_only: z.boolean(),
  anonymous: z.boolean(),
  null_encryption: z.boolean(),
});
export type CipherSuitesSummary = z.infer<typeof cipherSuitesSchema>;

export const keyExchangeSchema = z.object({
  /** Smallest finite-field DH group seen in DHE handshakes. */
  dh_min_bits: z.number().int().nullable(),
  /** Smallest ECDHE group seen (bits as OpenSSL reports them; X25519 = 253). */
  ecdh_min_bits: z.number().int().nullable(),
});
export type KeyExchangeFacts = z.infer<typeof keyExchangeSchema>;

export const hstsDetailsSchema = z.object({
  present: z.boolean(),
  max_age: z.number().int().nullable(),
  include_subdomains: z.boolean(),
  preload: z.boolean(),
  /** The raw header value. */
  header: z.string().nullable(),
  /** Why the HTTPS request failed, if it did (HSTS is then reported absent). */
  error: z.string().nullable(),
});
export type HstsDetails = z.infer<typeof hstsDetailsSchema>;

export const ocspStapleSchema = z.object({
  status: z.enum(["good", "revoked", "unknown"]),
  revoked_at: isoDate.nullable(),
});
export type OcspStaple = z.infer<typeof ocspStapleSchema>;

/**
 * Whether the leaf was revoked (checkRevocation.ts; docs/ssl-grading.md "Revocation"). All
 * null in results recorded before revocation was checked (SslChecked v2 and older).
 */
export const revocationFactsSchema = z.object({
  /** "good" or "revoked" when a believed source said so; "unknown" when none could. */
  revocation: z.enum(["good", "revoked", "unknown"]).nullable(),
  /** The source of a "good" or "revoked": the stapled OCSP response, an OCSP responder, a CRL. */
  revocation_source: z.enum(["staple", "ocsp", "crl"]).nullable(),
  /** Revoked: the CRLReason (RFC 5280 §5.3.1), e.g. "keyCompromise", "unspecified". Unknown: why no source could tell. */
  revocation_reason: z.string().nullable(),
  /** When revoked: the revocation time the source gives (UTC). */
  revoked_at: isoDate.nullable(),
});
export type RevocationFacts = z.infer<typeof revocationFactsSchema>;

export const gradeReasonSchema = z.object({
  /** Stable rule id, documented in docs/ssl-grading.md. */
  code: z.string(),
  /** The best grade this rule allows. */
  cap: gradeSchema,
  message: z.string(),
});
export type GradeReason = z.infer<typeof gradeReasonSchema>;

export const scoreSchema = z.object({
  protocol: z.number(),
  key_exchange: z.number(),
  cipher_strength: z.number(),
  /** 30% protocol + 30% key exchange + 40% cipher strength; 0 when any category is 0. */
  total: z.number(),
});
export type Score = z.infer<typeof scoreSchema>;

export const PROBE_FAILURE_REASONS = [
  "connection_refused",
  "connect_timeout",
  "handshake_timeout",
  "handshake_failed",
  "connection_reset",
  "network_error",
] as const;
export const probeFailureReasonSchema = z.enum(PROBE_FAILURE_REASONS);
export type ProbeFailureReason = z.infer<typeof probeFailureReasonSchema>;

export const failureReasonSchema = z.enum(["invalid_target", "dns_failure", "private_address", ...PROBE_FAILURE_REASONS]);
export type FailureReason = z.infer<typeof failureReasonSchema>;

export const endpointOkSchema = z.object({
  outcome: z.literal("ok"),
  ip_address: z.string(),
  // The leaf's facts, as GET /domains/{id}/ssl shows them.
  ...certificateSchema.pick({
    subject: true,
    issuer: true,
    valid_from: true,
    valid_to: true,
    days_remaining: true,
    serial_number: true,
  }).shape,
  tls_version: tlsVersionSchema,
  chain_valid: z.boolean(),
  hsts: z.boolean(),
  sans: z.array(z.string()),
  grade: gradeSchema,
  /** What the grade would be without the T and M rules (SSL Labs' "if trust issues are ignored"). */
  grade_trust_ignored: gradeSchema,
  grade_reasons: z.array(gradeReasonSchema),
  score: scoreSchema,
  chain_errors: z.array(chainErrorSchema),
  /**
   * The certification path a browser would build, leaf first, ending at the trust store's root
   * when one is reached (`certification_path.anchored`); whatever else the server sent is in
   * `served_certificates`. Expiry facts come only from this path.
   */
  chain: z.array(certificateSchema),
  /** The server's certificate list as sent; null in results recorded before it was kept (SslChecked v1). */
  served_certificates: z.array(servedCertificateSchema).nullable(),
  /** Problems of the served list (SSL Labs "Chain issues"); null in results recorded before v2. */
  chain_issues: z.array(chainIssueSchema).nullable(),
  /** How `chain` was chosen; null in results recorded before v2. */
  certification_path: certificationPathSchema.nullable(),
  /**
   * The certificate (trust anchors excluded) that expires first. At the top level of a check,
   * the earliest across all endpoints.
   */
  earliest_expiry: earliestExpirySchema,
  key: keySchema,
  /**
   * The leaf's Authority Key Identifier (keyIdentifier, lower-case hex), which names it to its
   * CA's ARI (RFC 9773 §4.1); null without one. Absent in results recorded before issue #14.
   */
  authority_key_identifier: z.string().nullable().optional(),
  signature_algorithm: z.string(),
  fingerprint_sha256: z.string(),
  cipher: cipherSchema,
  protocols: protocolsSchema,
  cipher_suites: cipherSuitesSchema,
  key_exchange: keyExchangeSchema,
  /** RFC 5746 support; null when the server only speaks TLS 1.3 (no renegotiation there). */
  secure_renegotiation: z.boolean().nullable(),
  /** What the OCSP response stapled by the server says about the leaf; null when none was stapled. */
  ocsp_staple: ocspStapleSchema.nullable(),
  ...revocationFactsSchema.shape,
  hsts_details: hstsDetailsSchema,
});
export type EndpointOk = z.infer<typeof endpointOkSchema>;

export const endpointFailedSchema = z.object({
  outcome: z.literal("failed"),
  ip_address: z.string(),
  reason: probeFailureReasonSchema,
  message: z.string(),
});
export type EndpointFailed = z.infer<typeof endpointFailedSchema>;

export const endpointSchema = z.discriminatedUnion("outcome", [endpointOkSchema, endpointFailedSchema]);
export type EndpointResult = z.infer<typeof endpointSchema>;

const targetFields = {
  hostname: z.string(),
  port: z.number().int().min(1).max(65535),
  checked_at: isoDate,
};

/**
 * "full": every protocol and suite probed, graded now. "light" (an expiry check): one
 * handshake and one HTTPS request per address; the configuration facts and grade are those of
 * the last full probe (`graded_at`). Absent in results recorded before light checks: full.
 */
export const probeKindSchema = z.enum(["full", "light"]);
export type ProbeKind = z.infer<typeof probeKindSchema>;

/** The worst graded address decides the top-level fields; every address is in `endpoints`. */
export const sslCheckOkSchema = endpointOkSchema.extend({
  ...targetFields,
  endpoints: z.array(endpointSchema),
  probe: probeKindSchema.optional(),
  /** When the grade and configuration facts were probed: checked_at of the last full probe. */
  graded_at: isoDate.optional(),
});
export type SslCheckOk = z.infer<typeof sslCheckOkSchema>;

/** The check could not run at all (bad name, DNS, SSRF refusal, no address answered). */
export const sslCheckFailedSchema = z.object({
  outcome: z.literal("failed"),
  ...targetFields,
  reason: failureReasonSchema,
  message: z.string(),
  endpoints: z.array(endpointFailedSchema),
  probe: probeKindSchema.optional(),
});
export type SslCheckFailed = z.infer<typeof sslCheckFailedSchema>;

export const sslCheckResultSchema = z.discriminatedUnion("outcome", [sslCheckOkSchema, sslCheckFailedSchema]);
export type SslCheckResult = z.infer<typeof sslCheckResultSchema>;

/**
 * A successful result as stored before served certificates were kept (SslChecked v1): the new
 * facts were not recorded, so they read as null. Used by the event upcaster and for read-model
 * rows projected from v1 events. Leaves a current result unchanged.
 */
export function upcastSslCheckOkV1(result: Record<string, unknown>): Record<string, unknown> {
  return withNullsWhereMissing(result, "served_certificates", { served_certificates: null, chain_issues: null, certification_path: null });
}

/**
 * A successful result as stored before revocation was checked (SslChecked v2): the revocation
 * facts read as null (not checked). Leaves a current result unchanged.
 */
export function upcastSslCheckOkV2(result: Record<string, unknown>): Record<string, unknown> {
  return withNullsWhereMissing(result, "revocation", { revocation: null, revocation_source: null, revocation_reason: null, revoked_at: null });
}

/** A stored successful result of any version in the current shape (read-model rows keep what the event carried). */
export const upcastStoredSslCheckOk = (result: Record<string, unknown>): Record<string, unknown> => upcastSslCheckOkV2(upcastSslCheckOkV1(result));

/** `nulls` added to the result and each successful endpoint that lacks `marker`. */
function withNullsWhereMissing(result: Record<string, unknown>, marker: string, nulls: Record<string, null>): Record<string, unknown> {
  const withNulls = (r: Record<string, unknown>) => (r["outcome"] !== "ok" || marker in r ? r : { ...r, ...nulls });
  const endpoints = Array.isArray(result["endpoints"]) ? (result["endpoints"] as Record<string, unknown>[]).map(withNulls) : result["endpoints"];
  return { ...withNulls(result), endpoints };
}
