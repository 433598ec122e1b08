// Why a certificate chain is not valid, as machine-readable reasons. Sources: OpenSSL's
// verification result (it reports one error: the last it met), Node's hostname check, and
// signature algorithms that OpenSSL accepts at security level 0 but browsers do not.
import tls from "node:tls";
import { signatureWeakness } from "./certificate.js";
import type { CertificateFacts, ChainError, ChainErrorReason, RevocationFacts } from "./result.js";

const OPENSSL_REASONS: Record<string, ChainErrorReason> = {
  CERT_HAS_EXPIRED: "expired",
  CERT_NOT_YET_VALID: "not_yet_valid",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self_signed",
  SELF_SIGNED_CERT_IN_CHAIN: "unknown_issuer",
  CERT_UNTRUSTED: "unknown_issuer",
  CERT_REJECTED: "unknown_issuer",
  CERT_REVOKED: "revoked",
  CERT_SIGNATURE_FAILURE: "invalid_signature",
  CA_MD_TOO_WEAK: "weak_signature",
};

export interface ChainCheckInput {
  /** OpenSSL's verification error code, or null when the chain verified. */
  verifyError: string | null;
  hostname: string;
  /** Node's legacy view of the leaf, for tls.checkServerIdentity. */
  peer: tls.PeerCertificate;
  chain: CertificateFacts[];
  /** Whether the leaf was revoked (a believed staple, CRL or OCSP answer; revocation/checkRevocation.ts). */
  revocation: RevocationFacts;
  now: Date;
}

function describe(reason: ChainErrorReason, chain: CertificateFacts[], now: Date): { message: string; depth: number | null } {
  const top = chain[chain.length - 1]!;
  switch (reason) {
    case "expired": {
      const cert = chain.find((c) => Date.parse(c.valid_to) < now.getTime());
      return cert ? { depth: cert.depth, message: `${cert.subject} expired on ${cert.valid_to}` } : { depth: null, message: "a certificate in the chain has expired" };
    }
    case "not_yet_valid": {
      const cert = chain.find((c) => Date.parse(c.valid_from) > now.getTime());
      return cert ? { depth: cert.depth, message: `${cert.subject} is not valid before ${cert.valid_from}` } : { depth: null, message: "a certificate in the chain is not yet valid" };
    }
    case "self_signed":
      return { depth: 0, message: "the certificate is self-signed and not trusted" };
    case "unknown_issuer":
      return { depth: top.depth, message: `the chain ends at "${top.issuer}", which is not a trusted root` };
    case "incomplete_chain":
      return { depth: top.depth, message: `the server did not send "${top.issuer}" (available from ${top.ca_issuers[0]})` };
    case "revoked":
      return { depth: null, message: "a certificate in the chain has been revoked" };
    case "weak_signature":
      return { depth: null, message: "a certificate in the chain has a weak signature" };
    case "invalid_signature":
      return { depth: null, message: "a certificate signature does not verify" };
    case "hostname_mismatch":
    case "other":
      return { depth: null, message: "the certificate chain did not verify" };
  }
}

// The issuer of the last certificate Node could place was neither sent nor trusted.
const ISSUER_NOT_FOUND = new Set(["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"]);

/**
 * A missing issuer is a missing intermediate when the certificate says where to fetch its
 * issuer (AIA, which public CAs always include), and an unknown, private CA otherwise. We do
 * not fetch it: that would be a request to a URL chosen by the server.
 */
function missingIssuerReason(chain: CertificateFacts[]): ChainErrorReason {
  const top = chain[chain.length - 1]!;
  return !top.self_signed && top.ca_issuers.length > 0 ? "incomplete_chain" : "unknown_issuer";
}

function fromOpenssl(code: string, chain: CertificateFacts[], now: Date): ChainError {
  const reason = ISSUER_NOT_FOUND.has(code) ? missingIssuerReason(chain) : (OPENSSL_REASONS[code] ?? "other");
  const { message, depth } = describe(reason, chain, now);
  return { reason, message: reason === "other" ? `${message} (${code})` : message, depth, code };
}

/** Certificates below the trust anchor signed with MD5 or SHA-1 (a root's self-signature does not matter). */
function weakSignatures(chain: CertificateFacts[]): ChainError[] {
  return chain
    .filter((c) => !(c.self_signed && c.depth > 0) && signatureWeakness(c.signature_algorithm) !== null)
    .map((c) => ({ reason: "weak_signature", message: `${c.subject} is signed with ${c.signature_algorithm}`, depth: c.depth, code: null }));
}

/** Every known reason the chain is not valid, most fundamental first; empty when valid. */
export function chainErrors(input: ChainCheckInput): ChainError[] {
  const errors: ChainError[] = [];
  if (input.verifyError) errors.push(fromOpenssl(input.verifyError, input.chain, input.now));
  const mismatch = tls.checkServerIdentity(input.hostname, input.peer);
  if (mismatch) errors.push({ reason: "hostname_mismatch", message: mismatch.message, depth: 0, code: null });
  const { revocation } = input;
  if (revocation.revocation === "revoked" && !errors.some((e) => e.reason === "revoked")) {
    const source = { staple: "the stapled OCSP response", ocsp: "the OCSP responder", crl: "the CRL" }[revocation.revocation_source!];
    const message = `${source} says the certificate was revoked on ${revocation.revoked_at} (${revocation.revocation_reason})`;
    errors.push({ reason: "revoked", message, depth: 0, code: null });
  }
  const weak = weakSignatures(input.chain).filter((w) => !errors.some((e) => e.reason === w.reason));
  return [...errors, ...weak];
}
