// The rating, rule by rule, on hand-written probe results (docs/ssl-grading.md is the spec).
import { expect } from "chai";
import { computeScore, deriveFacts, gradeServer, rsaEquivalentBits, withRevocationRule, scoreLetter, type GradeInput } from "../../../src/checkers/ssl/grade.js";

const MODERN_12 = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"];
const MODERN_13 = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"];
const ONE_YEAR = 365 * 86_400;

/** A server that earns A+: TLS 1.2 and 1.3, ECDHE + AEAD only, RSA 2048, one-year HSTS. */
function modern(overrides: Partial<GradeInput> = {}): GradeInput {
  return {
    protocols: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true },
    suites: { TLSv1: [], "TLSv1.1": [], "TLSv1.2": MODERN_12, "TLSv1.3": MODERN_13 },
    key: { type: "RSA", bits: 2048 },
    signatureAlgorithm: "sha256WithRSAEncryption",
    dhMinBits: null,
    ecdhMinBits: 253,
    chainErrors: [],
    chainIssues: [],
    secureRenegotiation: true,
    hsts: { present: true, maxAge: ONE_YEAR },
    ...overrides,
  };
}

/** Only TLS 1.2 with the given suites (and no TLS 1.3, which is itself a warning). */
function tls12Only(suites: string[], overrides: Partial<GradeInput> = {}): GradeInput {
  return modern({
    protocols: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": false },
    suites: { TLSv1: [], "TLSv1.1": [], "TLSv1.2": suites, "TLSv1.3": [] },
    ...overrides,
  });
}

const codes = (input: GradeInput) => gradeServer(input).reasons.map((r) => `${r.code}:${r.cap}`);

describe("SSL grade", () => {
  describe("numerical score (rating guide 2009)", () => {
    it("scores a modern server 100/90/90 = 93", () => {
      expect(computeScore(deriveFacts(modern()))).to.deep.equal({ protocol: 100, key_exchange: 90, cipher_strength: 90, total: 93 });
    });

    it("averages the best and the worst protocol", () => {
      const input = modern({ protocols: { TLSv1: true, "TLSv1.1": true, "TLSv1.2": true, "TLSv1.3": true } });
      expect(computeScore(deriveFacts(input)).protocol).to.equal(95);
      const oldOnly = modern({ protocols: { TLSv1: false, "TLSv1.1": true, "TLSv1.2": false, "TLSv1.3": false } });
      expect(computeScore(deriveFacts(oldOnly)).protocol).to.equal(95);
    });

    it("takes the weakest of server key, DH group and ECDH group for key exchange", () => {
      const score = (input: GradeInput) => computeScore(deriveFacts(input)).key_exchange;
      expect(score(modern({ key: { type: "RSA", bits: 4096 }, ecdhMinBits: 384 }))).to.equal(100);
      expect(score(modern({ key: { type: "RSA", bits: 4096 }, ecdhMinBits: 253 }))).to.equal(90);
      expect(score(modern({ dhMinBits: 1024 }))).to.equal(80);
      expect(score(modern({ key: { type: "RSA", bits: 1024 } }))).to.equal(80);
      expect(score(modern({ dhMinBits: 768 }))).to.equal(40);
      expect(score(modern({ key: { type: "RSA", bits: 384 } }))).to.equal(20);
      expect(score(modern({ key: { type: "EC", bits: 256 } }))).to.equal(90);
    });

    it("averages the strongest and the weakest cipher", () => {
      const score = (suites: string[]) => computeScore(deriveFacts(tls12Only(suites))).cipher_strength;
      expect(score(["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"])).to.equal(100);
      expect(score(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])).to.equal(80);
      expect(score(["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"])).to.equal(90);
      expect(score(["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_DES_CBC_SHA"])).to.equal(60);
      expect(score(["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_NULL_SHA256"])).to.equal(50);
    });

    it("forces the total to zero when a category scores zero (anonymous key exchange)", () => {
      const input = tls12Only([...MODERN_12, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"]);
      expect(computeScore(deriveFacts(input))).to.include({ key_exchange: 0, total: 0 });
      expect(gradeServer(input).grade).to.equal("F");
      expect(codes(input)).to.include("score:F");
    });

    it("maps scores to letters at 80/65/50/35/20", () => {
      const letters = [80, 79.9, 65, 64.9, 50, 49.9, 35, 34.9, 20, 19.9].map(scoreLetter);
      expect(letters).to.deep.equal(["A", "B", "B", "C", "C", "D", "D", "E", "E", "F"]);
    });

    it("lets a low score decide the grade, with its reason", () => {
      const input = modern({
        protocols: { TLSv1: true, "TLSv1.1": false, "TLSv1.2": false, "TLSv1.3": false },
        suites: { TLSv1: ["TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_DES_CBC_SHA"], "TLSv1.1": [], "TLSv1.2": [], "TLSv1.3": [] },
        dhMinBits: 768,
        ecdhMinBits: null,
      });
      // 0.3 * 90 + 0.3 * 40 + 0.4 * 60 = 63
      const result = gradeServer(input);
      expect(result.score.total).to.equal(63);
      expect(result.grade).to.equal("C");
      expect(codes(input)).to.include("score:C");
    });

    it("counts EC keys by their RSA-equivalent strength", () => {
      expect([160, 224, 253, 256, 384, 521].map((bits) => rsaEquivalentBits("EC", bits))).to.deep.equal([1024, 2048, 3072, 3072, 7680, 15360]);
      expect(rsaEquivalentBits("RSA", 3072)).to.equal(3072);
    });
  });

  describe("caps and rules", () => {
    it("gives A+ to a modern server with long HSTS, with no reasons", () => {
      expect(gradeServer(modern())).to.deep.include({ grade: "A+", gradeTrustIgnored: "A+", reasons: [] });
    });

    it("hsts_missing: A without HSTS (or with max-age=0)", () => {
      expect(gradeServer(modern({ hsts: { present: false, maxAge: null } })).grade).to.equal("A");
      expect(codes(modern({ hsts: { present: false, maxAge: 0 } }))).to.deep.equal(["hsts_missing:A"]);
    });

    it("hsts_short: A- when max-age is under 180 days; exactly 180 days is enough", () => {
      expect(codes(modern({ hsts: { present: true, maxAge: 86_400 } }))).to.deep.equal(["hsts_short:A-"]);
      expect(gradeServer(modern({ hsts: { present: true, maxAge: 180 * 86_400 } })).grade).to.equal("A+");
      expect(gradeServer(modern({ hsts: { present: true, maxAge: 180 * 86_400 - 1 } })).grade).to.equal("A-");
    });

    it("no_tls_1_3: A- without TLS 1.3", () => {
      expect(codes(tls12Only(MODERN_12))).to.deep.equal(["no_tls_1_3:A-"]);
    });

    it("no_secure_renegotiation: A- when RFC 5746 is missing; unknown (TLS 1.3 only) is fine", () => {
      expect(codes(modern({ secureRenegotiation: false }))).to.deep.equal(["no_secure_renegotiation:A-"]);
      expect(gradeServer(modern({ secureRenegotiation: null })).grade).to.equal("A+");
    });

    it("tls_1_0_or_1_1: B when TLS 1.0 or TLS 1.1 is accepted", () => {
      const with10 = modern({ protocols: { TLSv1: true, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true } });
      const with11 = modern({ protocols: { TLSv1: false, "TLSv1.1": true, "TLSv1.2": true, "TLSv1.3": true } });
      expect(gradeServer(with10).grade).to.equal("B");
      expect(codes(with11)).to.deep.equal(["tls_1_0_or_1_1:B"]);
    });

    it("no_tls_1_2: C when neither TLS 1.2 nor 1.3 is offered; TLS 1.3 alone is fine", () => {
      const old = modern({
        protocols: { TLSv1: true, "TLSv1.1": true, "TLSv1.2": false, "TLSv1.3": false },
        suites: { TLSv1: ["TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"], "TLSv1.1": ["TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"], "TLSv1.2": [], "TLSv1.3": [] },
      });
      expect(gradeServer(old).grade).to.equal("C");
      expect(codes(old)).to.include("no_tls_1_2:C");
      const only13 = modern({
        protocols: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": false, "TLSv1.3": true },
        suites: { TLSv1: [], "TLSv1.1": [], "TLSv1.2": [], "TLSv1.3": MODERN_13 },
        secureRenegotiation: null,
      });
      expect(gradeServer(only13).grade).to.equal("A+");
    });

    it("no_forward_secrecy: B when no ECDHE/DHE suite is accepted", () => {
      const input = tls12Only(["TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"]);
      expect(gradeServer(input).grade).to.equal("B");
      expect(codes(input)).to.include("no_forward_secrecy:B");
    });

    it("no_aead: B when only CBC suites are accepted", () => {
      const input = tls12Only(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"]);
      expect(gradeServer(input).grade).to.equal("B");
      expect(codes(input)).to.include("no_aead:B");
    });

    it("rc4: B with TLS 1.0 only, C with TLS 1.1 or newer", () => {
      const rc4With10 = modern({
        protocols: { TLSv1: true, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true },
        suites: { TLSv1: ["TLS_RSA_WITH_RC4_128_SHA"], "TLSv1.1": [], "TLSv1.2": MODERN_12, "TLSv1.3": MODERN_13 },
      });
      expect(codes(rc4With10)).to.include("rc4:B");
      expect(gradeServer(rc4With10).grade).to.equal("B");
      const rc4With12 = tls12Only([...MODERN_12, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"]);
      expect(codes(rc4With12)).to.include("rc4:C");
      expect(gradeServer(rc4With12).grade).to.equal("C");
    });

    it("block_cipher_64bit: C for 3DES (or another 64-bit block cipher) with TLS 1.1 or newer only", () => {
      expect(gradeServer(tls12Only([...MODERN_12, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"])).grade).to.equal("C");
      expect(codes(tls12Only([...MODERN_12, "TLS_RSA_WITH_IDEA_CBC_SHA"]))).to.include("block_cipher_64bit:C");
      const tls10Only3des = modern({
        protocols: { TLSv1: true, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true },
        suites: { TLSv1: ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"], "TLSv1.1": [], "TLSv1.2": MODERN_12, "TLSv1.3": MODERN_13 },
      });
      expect(codes(tls10Only3des)).to.not.include("block_cipher_64bit:C");
    });

    it("key_size: B under 2048 bits, F under 1024 (RSA-equivalent)", () => {
      expect(codes(modern({ key: { type: "RSA", bits: 1024 } }))).to.deep.equal(["key_size:B"]);
      expect(gradeServer(modern({ key: { type: "RSA", bits: 512 } })).grade).to.equal("F");
      expect(gradeServer(modern({ key: { type: "EC", bits: 256 } })).grade).to.equal("A+");
      expect(gradeServer(modern({ key: { type: "EC", bits: 192 } })).grade).to.equal("B");
    });

    it("dh_parameters: B for DH groups under 2048 bits", () => {
      expect(codes(modern({ dhMinBits: 1024 }))).to.deep.equal(["dh_parameters:B"]);
      expect(gradeServer(modern({ dhMinBits: 2048 })).grade).to.equal("A+");
    });

    it("md5_signature: F for an MD5- or MD2-signed leaf", () => {
      const result = gradeServer(modern({ signatureAlgorithm: "md5WithRSAEncryption" }));
      expect(result.grade).to.equal("F");
      expect(result.reasons.map((r) => r.code)).to.deep.equal(["md5_signature"]);
    });

    it("incomplete_chain: B (not T) when intermediates are missing", () => {
      expect(codes(modern({ chainErrors: ["incomplete_chain"] }))).to.deep.equal(["incomplete_chain:B"]);
    });

    for (const issue of ["duplicate_certificates", "unrelated_certificates", "incorrect_order", "expired_extra_certificates"] as const) {
      it(`chain_issues: A- when the server's certificate list has ${issue}`, () => {
        const result = gradeServer(modern({ chainIssues: [issue] }));
        expect(result.grade).to.equal("A-");
        expect(result.reasons).to.deep.equal([{ code: "chain_issues", cap: "A-", message: `the server's certificate list has issues: ${issue}` }]);
      });
    }

    it("chain_issues: a sent root (contains_anchor) is reported but does not lower the grade", () => {
      expect(gradeServer(modern({ chainIssues: ["contains_anchor"] }))).to.deep.include({ grade: "A+", reasons: [] });
    });

    for (const why of ["expired", "not_yet_valid", "self_signed", "unknown_issuer", "weak_signature", "invalid_signature"] as const) {
      it(`untrusted: T for ${why}, and the grade without trust issues is kept`, () => {
        const result = gradeServer(modern({ chainErrors: [why] }));
        expect(result).to.deep.include({ grade: "T", gradeTrustIgnored: "A+" });
        expect(result.reasons[0]).to.deep.include({ code: "untrusted", cap: "T" });
        expect(result.reasons[0]!.message).to.contain(why);
      });
    }

    it("revoked: F (SSL Labs), the grade without trust issues is kept, and T still wins when the chain is untrusted too", () => {
      const result = gradeServer(modern({ chainErrors: ["revoked"] }));
      expect(result).to.deep.include({ grade: "F", gradeTrustIgnored: "A+" });
      expect(result.reasons).to.deep.equal([{ code: "revoked", cap: "F", message: "the certificate has been revoked" }]);
      expect(gradeServer(modern({ chainErrors: ["revoked", "unknown_issuer"] })).grade).to.equal("T");
      expect(gradeServer(modern({ chainErrors: ["revoked", "hostname_mismatch"] })).grade).to.equal("M");
    });

    it("revoked on an expiry check: the carried-over grade gets the rule, once, and loses it when not revoked", () => {
      const carried = gradeServer(modern({ hsts: { present: false, maxAge: null } }));
      const revoked = withRevocationRule({ grade: carried.grade, grade_reasons: carried.reasons }, true);
      expect(revoked.grade).to.equal("F");
      expect(revoked.grade_reasons.map((r) => r.code)).to.deep.equal(["revoked", "hsts_missing"]);
      expect(withRevocationRule(revoked, true)).to.deep.equal(revoked);
      expect(withRevocationRule(revoked, false)).to.deep.equal({ grade: "A", grade_reasons: carried.reasons });
    });

    it("name_mismatch: M, and T wins when the chain is untrusted too", () => {
      expect(gradeServer(modern({ chainErrors: ["hostname_mismatch"] }))).to.deep.include({ grade: "M", gradeTrustIgnored: "A+" });
      expect(gradeServer(modern({ chainErrors: ["self_signed", "hostname_mismatch"] })).grade).to.equal("T");
    });

    it("combines caps: the worst wins and reasons are listed worst first", () => {
      const input = modern({
        protocols: { TLSv1: true, "TLSv1.1": true, "TLSv1.2": true, "TLSv1.3": false },
        hsts: { present: false, maxAge: null },
        key: { type: "RSA", bits: 1024 },
        chainErrors: ["expired"],
      });
      const result = gradeServer(input);
      expect(result.grade).to.equal("T");
      expect(result.gradeTrustIgnored).to.equal("B");
      expect(result.reasons.map((r) => r.cap)).to.deep.equal(["T", "B", "B", "A-", "A"]);
    });
  });
});
