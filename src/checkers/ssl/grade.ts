// The SSL Labs rating, as a pure function of what the probes found. Each rule is documented,
// with its source, in docs/ssl-grading.md; keep the two in step.
import { suiteTraits, type SuiteTraits } from "./cipherSuites.js";
import { signatureWeakness } from "./certificate.js";
import { GRADES, TLS_VERSIONS, type ChainErrorReason, type ChainIssueCode, type Grade, type GradeReason, type ProtocolSupport, type Score, type TlsVersion } from "./result.js";

export interface GradeInput {
  protocols: ProtocolSupport;
  /** IANA names of accepted suites, per protocol version. */
  suites: Record<TlsVersion, string[]>;
  /** The leaf's public key. */
  key: { type: string; bits: number };
  /** The leaf's signature algorithm. */
  signatureAlgorithm: string;
  dhMinBits: number | null;
  ecdhMinBits: number | null;
  chainErrors: ChainErrorReason[];
  /** Problems of the certificate list the server sends (servedChain.ts). */
  chainIssues: ChainIssueCode[];
  secureRenegotiation: boolean | null;
  hsts: { present: boolean; maxAge: number | null };
}

export interface GradeResult {
  grade: Grade;
  gradeTrustIgnored: Grade;
  score: Score;
  /** Every rule that held the grade below A+, worst first. */
  reasons: GradeReason[];
}

/** What the rules look at, derived once from the input. */
interface GradeFacts {
  input: GradeInput;
  /** Traits of the suites accepted with each protocol version. */
  traits: Record<TlsVersion, SuiteTraits[]>;
  /** Traits of every accepted suite. */
  all: SuiteTraits[];
  /** The weakest key in the key exchange, in RSA-equivalent bits (0 for anonymous suites). */
  keyExchangeBits: number;
}

type Rule = (facts: GradeFacts) => GradeReason | null;

const HSTS_MIN_MAX_AGE = 180 * 86_400;

const rank = (grade: Grade) => GRADES.indexOf(grade);
const worseGrade = (a: Grade, b: Grade): Grade => (rank(b) > rank(a) ? b : a);

/** NIST SP 800-57 equivalence, so EC keys and ECDH groups are scored like RSA/DH. */
export function rsaEquivalentBits(type: string, bits: number): number {
  if (!/^(EC|ECDH|Ed25519|Ed448)$/.test(type)) return bits;
  if (bits >= 512) return 15360;
  if (bits >= 384) return 7680;
  if (bits >= 250) return 3072; // X25519 reports 253 bits
  if (bits >= 224) return 2048;
  return bits >= 160 ? 1024 : 512;
}

// ---- numerical score (rating guide 2009, "Scoring") ----

const PROTOCOL_SCORES: Record<TlsVersion, number> = { TLSv1: 90, "TLSv1.1": 95, "TLSv1.2": 100, "TLSv1.3": 100 };

function protocolScore(protocols: ProtocolSupport): number {
  const scores = TLS_VERSIONS.filter((v) => protocols[v]).map((v) => PROTOCOL_SCORES[v]);
  return scores.length === 0 ? 0 : (Math.max(...scores) + Math.min(...scores)) / 2;
}

function keyExchangeScore(bits: number): number {
  if (bits <= 0) return 0;
  if (bits < 512) return 20;
  if (bits < 1024) return 40;
  if (bits < 2048) return 80;
  return bits < 4096 ? 90 : 100;
}

function cipherClassScore(bits: number): number {
  if (bits === 0) return 0;
  if (bits < 128) return 20;
  return bits < 256 ? 80 : 100;
}

function cipherScore(all: SuiteTraits[]): number {
  if (all.length === 0) return 0;
  const bits = all.map((t) => t.bits);
  return (cipherClassScore(Math.max(...bits)) + cipherClassScore(Math.min(...bits))) / 2;
}

export function computeScore(facts: GradeFacts): Score {
  const protocol = protocolScore(facts.input.protocols);
  const keyExchange = keyExchangeScore(facts.keyExchangeBits);
  const cipher = cipherScore(facts.all);
  const weighted = 0.3 * protocol + 0.3 * keyExchange + 0.4 * cipher;
  // "A zero score in any category forces the total score to zero."
  const total = protocol === 0 || keyExchange === 0 || cipher === 0 ? 0 : weighted;
  return { protocol, key_exchange: keyExchange, cipher_strength: cipher, total: Math.round(total * 10) / 10 };
}

export function scoreLetter(total: number): Grade {
  if (total >= 80) return "A";
  if (total >= 65) return "B";
  if (total >= 50) return "C";
  if (total >= 35) return "D";
  return total >= 20 ? "E" : "F";
}

// ---- rules (each returns the cap it imposes, or null) ----

const reason = (code: string, cap: Grade, message: string): GradeReason => ({ code, cap, message });
const supportsModern = (f: GradeFacts, pick: (t: SuiteTraits) => boolean) =>
  (["TLSv1.1", "TLSv1.2"] as const).some((v) => f.traits[v].some(pick));
const UNTRUSTED: ChainErrorReason[] = ["expired", "not_yet_valid", "self_signed", "unknown_issuer", "weak_signature", "invalid_signature", "other"];
/** SSL Labs grades a revoked certificate F (Rating Guide 2009 "Certificate Inspection"; docs/ssl-grading.md). */
const REVOKED = reason("revoked", "F", "the certificate has been revoked");

// A sent root ("contains_anchor") only costs bytes; SSL Labs shows it without weight, so do we.
const CHAIN_ISSUE_WARNINGS: ChainIssueCode[] = ["duplicate_certificates", "unrelated_certificates", "incorrect_order", "expired_extra_certificates"];

const RULES: Record<string, Rule> = {
  tls_1_0_or_1_1: ({ input: { protocols } }) =>
    protocols.TLSv1 || protocols["TLSv1.1"] ? reason("tls_1_0_or_1_1", "B", "TLS 1.0 or TLS 1.1 is accepted") : null,
  no_tls_1_2: ({ input: { protocols } }) =>
    protocols["TLSv1.2"] || protocols["TLSv1.3"] ? null : reason("no_tls_1_2", "C", "neither TLS 1.2 nor TLS 1.3 is supported"),
  no_forward_secrecy: ({ all }) =>
    all.some((t) => t.forwardSecret) ? null : reason("no_forward_secrecy", "B", "no cipher suite with forward secrecy (ECDHE/DHE)"),
  no_aead: ({ all }) => (all.some((t) => t.aead) ? null : reason("no_aead", "B", "no AEAD cipher suite (GCM, CCM, ChaCha20-Poly1305)")),
  rc4: (f) => {
    if (supportsModern(f, (t) => t.rc4)) return reason("rc4", "C", "RC4 is accepted with TLS 1.1 or newer");
    return f.all.some((t) => t.rc4) ? reason("rc4", "B", "RC4 is accepted (with TLS 1.0 only)") : null;
  },
  block_cipher_64bit: (f) =>
    supportsModern(f, (t) => t.block64) ? reason("block_cipher_64bit", "C", "a 64-bit block cipher (3DES, DES, IDEA) is accepted with TLS 1.1 or newer") : null,
  key_size: ({ input: { key } }) => {
    const bits = rsaEquivalentBits(key.type, key.bits);
    if (bits < 1024) return reason("key_size", "F", `${key.type} ${key.bits}-bit key is insecure (under 1024 bits RSA-equivalent)`);
    return bits < 2048 ? reason("key_size", "B", `${key.type} ${key.bits}-bit key is weak (under 2048 bits RSA-equivalent)`) : null;
  },
  dh_parameters: ({ input: { dhMinBits } }) =>
    dhMinBits !== null && dhMinBits < 2048 ? reason("dh_parameters", "B", `DH parameters of ${dhMinBits} bits (under 2048)`) : null,
  md5_signature: ({ input }) =>
    signatureWeakness(input.signatureAlgorithm) === "md5" ? reason("md5_signature", "F", `certificate signed with ${input.signatureAlgorithm}`) : null,
  incomplete_chain: ({ input }) =>
    input.chainErrors.includes("incomplete_chain") ? reason("incomplete_chain", "B", "the server does not send its intermediate certificate(s)") : null,
  untrusted: ({ input }) => {
    const why = UNTRUSTED.filter((r) => input.chainErrors.includes(r));
    return why.length > 0 ? reason("untrusted", "T", `certificate not trusted: ${why.join(", ")}`) : null;
  },
  revoked: ({ input }) => (input.chainErrors.includes("revoked") ? REVOKED : null),
  name_mismatch: ({ input }) =>
    input.chainErrors.includes("hostname_mismatch") ? reason("name_mismatch", "M", "certificate does not match the hostname") : null,
  chain_issues: ({ input }) => {
    const found = CHAIN_ISSUE_WARNINGS.filter((c) => input.chainIssues.includes(c));
    return found.length > 0 ? reason("chain_issues", "A-", `the server's certificate list has issues: ${found.join(", ")}`) : null;
  },
  no_tls_1_3: ({ input: { protocols } }) => (protocols["TLSv1.3"] ? null : reason("no_tls_1_3", "A-", "TLS 1.3 is not supported")),
  no_secure_renegotiation: ({ input }) =>
    input.secureRenegotiation === false ? reason("no_secure_renegotiation", "A-", "secure renegotiation (RFC 5746) is not supported") : null,
  hsts: ({ input: { hsts } }) => {
    if (!hsts.present) return reason("hsts_missing", "A", "no HTTP Strict Transport Security (needed for A+)");
    const maxAge = hsts.maxAge ?? 0;
    return maxAge < HSTS_MIN_MAX_AGE ? reason("hsts_short", "A-", `HSTS max-age ${maxAge} s is under 180 days`) : null;
  },
};

// Certificate issues, kept out of grade_trust_ignored (what grade_dropped compares): they have alerts of their own.
const TRUST_CODES = new Set(["untrusted", "name_mismatch", "revoked"]);

export function deriveFacts(input: GradeInput): GradeFacts {
  const traits = Object.fromEntries(TLS_VERSIONS.map((v) => [v, input.suites[v].map(suiteTraits)])) as Record<TlsVersion, SuiteTraits[]>;
  const all = TLS_VERSIONS.flatMap((v) => traits[v]);
  const candidates = [rsaEquivalentBits(input.key.type, input.key.bits)];
  if (input.dhMinBits !== null) candidates.push(input.dhMinBits);
  if (input.ecdhMinBits !== null) candidates.push(rsaEquivalentBits("ECDH", input.ecdhMinBits));
  const keyExchangeBits = all.some((t) => t.anonymous) ? 0 : Math.min(...candidates);
  return { input, traits, all, keyExchangeBits };
}

export function gradeServer(input: GradeInput): GradeResult {
  const facts = deriveFacts(input);
  const score = computeScore(facts);
  const letter = scoreLetter(score.total);
  const reasons = Object.values(RULES)
    .map((rule) => rule(facts))
    .filter((r): r is GradeReason => r !== null);
  if (letter !== "A") {
    const detail = `protocol ${score.protocol}, key exchange ${score.key_exchange}, cipher strength ${score.cipher_strength}`;
    reasons.push(reason("score", letter, `numerical score ${score.total} (${detail})`));
  }
  reasons.sort(worstFirst);
  return { grade: worstCap(reasons), gradeTrustIgnored: worstCap(reasons.filter((r) => !TRUST_CODES.has(r.code))), score, reasons };
}

const worstFirst = (a: GradeReason, b: GradeReason) => rank(b.cap) - rank(a.cap);
const worstCap = (list: GradeReason[]) => list.reduce<Grade>((g, r) => worseGrade(g, r.cap), "A+");

/**
 * A grade carried over from the last full probe (an expiry check) with the `revoked` rule
 * applied for what this check found: revocation is looked up on every check, the rest of the
 * grade only on full probes. grade_trust_ignored does not change (`revoked` is not counted there).
 */
export function withRevocationRule<G extends { grade: Grade; grade_reasons: GradeReason[] }>(graded: G, revoked: boolean): G {
  const reasons = [...graded.grade_reasons.filter((r) => r.code !== REVOKED.code), ...(revoked ? [REVOKED] : [])].sort(worstFirst);
  return { ...graded, grade: worstCap(reasons), grade_reasons: reasons };
}
