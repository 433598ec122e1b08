// Chain error reasons from OpenSSL's verdict, the hostname and signature algorithms.
import { expect } from "chai";
import type tls from "node:tls";
import { chainErrors, type ChainCheckInput } from "../../../src/checkers/ssl/chainErrors.js";
import type { CertificateFacts } from "../../../src/checkers/ssl/result.js";

const NOW = new Date("2026-06-01T00:00:00Z");

function cert(depth: number, overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    depth,
    subject: `CN=cert${depth}`,
    issuer: `CN=cert${depth + 1}`,
    valid_from: "2026-01-01T00:00:00.000Z",
    valid_to: "2027-01-01T00:00:00.000Z",
    days_remaining: 214,
    serial_number: "01",
    fingerprint_sha256: "aa",
    signature_algorithm: "sha256WithRSAEncryption",
    self_signed: false,
    ca_issuers: [],
    ...overrides,
  };
}

const peer = { subject: { CN: "example.test" }, subjectaltname: "DNS:example.test, DNS:*.example.test" } as unknown as tls.PeerCertificate;

const NOT_REVOKED = { revocation: "good", revocation_source: "crl", revocation_reason: null, revoked_at: null } as const;
const REVOKED = { revocation: "revoked", revocation_source: "staple", revocation_reason: "keyCompromise", revoked_at: "2026-05-01T00:00:00.000Z" } as const;

function errors(overrides: Partial<ChainCheckInput>) {
  return chainErrors({ verifyError: null, hostname: "example.test", peer, chain: [cert(0), cert(1)], revocation: NOT_REVOKED, now: NOW, ...overrides });
}

describe("chain errors", () => {
  it("is empty for a verified chain that matches the name", () => {
    expect(errors({})).to.deep.equal([]);
    expect(errors({ hostname: "www.example.test" })).to.deep.equal([]);
  });

  it("locates the expired certificate", () => {
    const chain = [cert(0), cert(1, { valid_to: "2026-05-01T00:00:00.000Z" })];
    expect(errors({ verifyError: "CERT_HAS_EXPIRED", chain })).to.deep.equal([
      { reason: "expired", message: "CN=cert1 expired on 2026-05-01T00:00:00.000Z", depth: 1, code: "CERT_HAS_EXPIRED" },
    ]);
  });

  it("tells a missing intermediate (AIA present) from an unknown CA", () => {
    const withAia = [cert(0, { ca_issuers: ["http://ca.test/i.crt"] })];
    expect(errors({ verifyError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", chain: withAia })[0]).to.include({ reason: "incomplete_chain", depth: 0 });
    expect(errors({ verifyError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", chain: [cert(0)] })[0]).to.include({ reason: "unknown_issuer" });
    const twoLevels = [cert(0), cert(1, { ca_issuers: ["http://ca.test/root-x.crt"] })];
    expect(errors({ verifyError: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", chain: twoLevels })[0]).to.include({ reason: "incomplete_chain", depth: 1 });
    expect(errors({ verifyError: "SELF_SIGNED_CERT_IN_CHAIN" })[0]).to.include({ reason: "unknown_issuer" });
  });

  it("keeps unmapped OpenSSL codes as 'other' with the code in the message", () => {
    expect(errors({ verifyError: "INVALID_PURPOSE" })).to.deep.equal([
      { reason: "other", message: "the certificate chain did not verify (INVALID_PURPOSE)", depth: null, code: "INVALID_PURPOSE" },
    ]);
  });

  it("adds a hostname mismatch next to other errors", () => {
    const result = errors({ verifyError: "DEPTH_ZERO_SELF_SIGNED_CERT", hostname: "a.b.example.test" });
    expect(result.map((e) => e.reason)).to.deep.equal(["self_signed", "hostname_mismatch"]);
  });

  it("reports a revocation a believed source stated, once, naming the source and reason", () => {
    expect(errors({ revocation: REVOKED })).to.deep.equal([
      { reason: "revoked", message: "the stapled OCSP response says the certificate was revoked on 2026-05-01T00:00:00.000Z (keyCompromise)", depth: 0, code: null },
    ]);
    expect(errors({ revocation: { ...REVOKED, revocation_source: "crl" } })[0]!.message).to.match(/^the CRL says/);
    expect(errors({ revocation: REVOKED, verifyError: "CERT_REVOKED" }).map((e) => e.reason)).to.deep.equal(["revoked"]);
    expect(errors({ revocation: { revocation: "unknown", revocation_source: null, revocation_reason: "CRL http://x/: HTTP 500", revoked_at: null } })).to.deep.equal([]);
  });

  it("flags SHA-1 and MD5 signatures below the root, but not a root's self-signature", () => {
    const chain = [cert(0, { signature_algorithm: "sha1WithRSAEncryption" }), cert(1), cert(2, { self_signed: true, signature_algorithm: "md5WithRSAEncryption" })];
    expect(errors({ chain })).to.deep.equal([{ reason: "weak_signature", message: "CN=cert0 is signed with sha1WithRSAEncryption", depth: 0, code: null }]);
  });
});
