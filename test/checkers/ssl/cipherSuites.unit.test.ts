// Cipher suite traits from IANA names, and the summary reported as cipher_suites.
import { expect } from "chai";
import { suiteTraits, summarizeSuites } from "../../../src/checkers/ssl/cipherSuites.js";

describe("cipher suite traits", () => {
  const cases: Array<[string, Partial<ReturnType<typeof suiteTraits>>]> = [
    ["TLS_AES_128_GCM_SHA256", { bits: 128, forwardSecret: true, aead: true, cbc: false }],
    ["TLS_CHACHA20_POLY1305_SHA256", { bits: 256, forwardSecret: true, aead: true }],
    ["TLS_AES_128_CCM_8_SHA256", { bits: 128, aead: true }],
    ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", { bits: 256, forwardSecret: true, aead: true }],
    ["TLS_ECDHE_ECDSA_WITH_AES_128_CCM", { bits: 128, forwardSecret: true, aead: true }],
    ["TLS_DHE_RSA_WITH_AES_128_CBC_SHA", { bits: 128, forwardSecret: true, aead: false, cbc: true }],
    ["TLS_RSA_WITH_AES_256_CBC_SHA256", { bits: 256, forwardSecret: false, cbc: true }],
    ["TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", { bits: 128, cbc: true }],
    ["TLS_RSA_WITH_RC4_128_SHA", { bits: 128, rc4: true, cbc: false, block64: false }],
    ["TLS_RSA_EXPORT_WITH_RC4_40_MD5", { bits: 40, rc4: true }],
    ["TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", { bits: 168, tripleDes: true, block64: true, forwardSecret: true, cbc: true }],
    ["TLS_RSA_WITH_DES_CBC_SHA", { bits: 56, block64: true, tripleDes: false }],
    ["TLS_RSA_WITH_IDEA_CBC_SHA", { bits: 128, block64: true }],
    ["TLS_RSA_WITH_NULL_SHA256", { bits: 0 }],
    ["TLS_DH_anon_WITH_AES_128_GCM_SHA256", { anonymous: true, forwardSecret: false }],
    ["TLS_ECDH_anon_WITH_RC4_128_SHA", { anonymous: true, rc4: true }],
  ];
  for (const [name, expected] of cases) {
    it(name, () => expect(suiteTraits(name)).to.include(expected));
  }
});

describe("cipher suite summary", () => {
  it("summarizes a modern server", () => {
    const accepted = { TLSv1: [], "TLSv1.1": [], "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] };
    expect(summarizeSuites(accepted)).to.deep.equal({
      accepted,
      forward_secrecy: true,
      aead: true,
      rc4: false,
      triple_des: false,
      cbc_only: false,
      anonymous: false,
      null_encryption: false,
    });
  });

  it("flags CBC-only, RC4, 3DES, anonymous and NULL suites wherever they appear", () => {
    const summary = summarizeSuites({
      TLSv1: ["TLS_RSA_WITH_RC4_128_SHA", "TLS_DH_anon_WITH_AES_128_CBC_SHA"],
      "TLSv1.1": [],
      "TLSv1.2": ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_NULL_SHA256"],
      "TLSv1.3": [],
    });
    expect(summary).to.include({ forward_secrecy: false, aead: false, rc4: true, triple_des: true, cbc_only: true, anonymous: true, null_encryption: true });
  });
});
