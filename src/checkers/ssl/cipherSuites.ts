// What a cipher suite's IANA name says about it. IANA names are used throughout (rather than
// OpenSSL's) because they are what raw ClientHello probes and other tools report too.
import type { CipherSuitesSummary, TlsVersion } from "./result.js";

export interface SuiteTraits {
  /** Symmetric key size in bits, as the rating guide counts it (3DES = 168). */
  bits: number;
  /** Ephemeral, authenticated key exchange (ECDHE, DHE, or any TLS 1.3 suite). */
  forwardSecret: boolean;
  anonymous: boolean;
  aead: boolean;
  cbc: boolean;
  rc4: boolean;
  tripleDes: boolean;
  /** 64-bit block ciphers (3DES, DES, IDEA, RC2): Sweet32. */
  block64: boolean;
}

/** TLS 1.3 suites name only the AEAD and hash, e.g. TLS_AES_128_GCM_SHA256. */
const TLS13_NAME = /^TLS_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305|AES_128_CCM(?:_8)?)_SHA\d+$/;

function cipherBits(cipher: string): number {
  if (cipher.startsWith("NULL")) return 0;
  // The rating guide's own example puts 3DES (168-bit key) in the "< 256 bits" class.
  if (cipher.includes("3DES")) return 168;
  if (/_40|DES40/.test(cipher)) return 40;
  if (cipher.startsWith("DES_CBC")) return 56;
  if (cipher.startsWith("CHACHA20")) return 256;
  const size = /(?:^|_)(128|256)(?:_|$)/.exec(cipher)?.[1];
  // SEED, IDEA and anything unrecognised count as 128-bit: not weak, not strong.
  return size ? Number(size) : 128;
}

/** Traits of a suite from its IANA name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
export function suiteTraits(name: string): SuiteTraits {
  const tls13 = TLS13_NAME.exec(name);
  const [, kx = "", rest = ""] = tls13 ? ["", "TLS13", tls13[1]] : (/^(?:TLS|SSL)_(.+?)_WITH_(.+)$/.exec(name) ?? []);
  // The trailing MAC (SHA, SHA256, MD5) is not part of the cipher; CCM suites have none.
  const cipher = rest.replace(/_(?:SHA\d*|MD5)$/, "");
  const anonymous = kx.includes("anon");
  return {
    bits: cipherBits(cipher),
    forwardSecret: !anonymous && (kx === "TLS13" || /^(?:EC)?DHE_/.test(kx)),
    anonymous,
    aead: /GCM|CCM|POLY1305/.test(cipher),
    cbc: cipher.includes("CBC"),
    rc4: cipher.startsWith("RC4"),
    tripleDes: cipher.includes("3DES"),
    block64: /3DES|^DES|IDEA|RC2/.test(cipher),
  };
}

export function summarizeSuites(accepted: Record<TlsVersion, string[]>): CipherSuitesSummary {
  const traits = Object.values(accepted).flat().map(suiteTraits);
  const any = (pick: (t: SuiteTraits) => boolean) => traits.some(pick);
  return {
    accepted,
    forward_secrecy: any((t) => t.forwardSecret),
    aead: any((t) => t.aead),
    rc4: any((t) => t.rc4),
    triple_des: any((t) => t.tripleDes),
    cbc_only: any((t) => t.cbc) && !any((t) => t.aead),
    anonymous: any((t) => t.anonymous),
    null_encryption: any((t) => t.bits === 0),
  };
}
