// The parts of certificates that revocation look-ups and ACME ARI need and Node's
// X509Certificate does not expose: the raw names and key (to match CRLs and build OCSP
// CertIDs), the CRL Distribution Points, the Authority Key Identifier (ARI's certificate id),
// and signature checks over signed DER (CRLs, OCSP responses). Pure.
import { constants, verify, type KeyObject, type X509Certificate } from "node:crypto";
import { algorithmName } from "../certificate.js";
import { children, decodeOid, DerError, readElement, type DerElement } from "../der.js";

const TAG_EXPLICIT_0 = 0xa0;
const TAG_EXTENSIONS = 0xa3;
const TAG_URI = 0x86;
const TAG_IMPLICIT_0 = 0x80;
const OID_CRL_DISTRIBUTION_POINTS = "2.5.29.31";
const OID_AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";

export interface TbsParts {
  /** The serialNumber INTEGER. */
  serial: DerElement;
  /** The issuer Name, as encoded (RFC 5280 compares names; CAs encode them identically). */
  issuer: DerElement;
  subject: DerElement;
  subjectPublicKeyInfo: DerElement;
  extensions: DerElement[];
}

/** TBSCertificate (RFC 5280 §4.1): [0] version, serial, signature, issuer, validity, subject, spki, ..., [3] extensions. */
export function tbsParts(der: Buffer): TbsParts {
  const [tbs] = children(readElement(der).value);
  if (!tbs) throw new DerError("no TBSCertificate");
  const fields = children(tbs.value);
  const [serial, , issuer, , subject, subjectPublicKeyInfo, ...optional] = fields[0]?.tag === TAG_EXPLICIT_0 ? fields.slice(1) : fields;
  if (!serial || !issuer || !subject || !subjectPublicKeyInfo) throw new DerError("truncated TBSCertificate");
  const wrapper = optional.find((el) => el.tag === TAG_EXTENSIONS);
  return { serial, issuer, subject, subjectPublicKeyInfo, extensions: wrapper ? children(readElement(wrapper.value).value) : [] };
}

/** The contents of the extnValue OCTET STRING of the extension `oid`, or null. */
export function extensionValue(extensions: DerElement[], oid: string): Buffer | null {
  for (const extension of extensions) {
    const [id, ...rest] = children(extension.value);
    if (id && decodeOid(id.value) === oid) return rest[rest.length - 1]?.value ?? null;
  }
  return null;
}

/**
 * The keyIdentifier of the Authority Key Identifier extension (RFC 5280 §4.2.1.1), lower-case
 * hex; null when the certificate has none. Names the issuer's key for ARI (RFC 9773 §4.1).
 */
export function authorityKeyIdentifier(der: Buffer): string | null {
  try {
    const value = extensionValue(tbsParts(der).extensions, OID_AUTHORITY_KEY_IDENTIFIER);
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
    const keyId = value ? children(readElement(value).value).find((el) => el.tag === TAG_IMPLICIT_0) : undefined;
    return keyId ? keyId.value.toString("hex") : null;
  } catch {
    return null;
  }
}

/**
 * The http(s) URLs among the full names of the CRL Distribution Points (RFC 5280 §4.2.1.13);
 * LDAP and relative names are not followed. [] when the extension is absent or malformed.
 */
export function crlDistributionUrls(cert: X509Certificate): string[] {
  try {
    const value = extensionValue(tbsParts(cert.raw).extensions, OID_CRL_DISTRIBUTION_POINTS);
    if (!value) return [];
    const urls: string[] = [];
    for (const point of children(readElement(value).value)) {
      // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames }, reasons [1], cRLIssuer [2] }
      const name = children(point.value).find((el) => el.tag === TAG_EXPLICIT_0);
      const fullName = name ? children(name.value).find((el) => el.tag === TAG_EXPLICIT_0) : undefined;
      for (const general of fullName ? children(fullName.value) : []) {
        if (general.tag === TAG_URI) urls.push(general.value.toString("latin1"));
      }
    }
    return urls.filter((url) => /^https?:\/\//i.test(url));
  } catch {
    return [];
  }
}

/** The subjectPublicKey BIT STRING's key bits (what an OCSP issuerKeyHash hashes, RFC 6960 §4.1.1). */
export function publicKeyBits(cert: X509Certificate): Buffer {
  const [, bits] = children(tbsParts(cert.raw).subjectPublicKeyInfo.value);
  if (!bits) throw new DerError("no subjectPublicKey");
  return bits.value.subarray(1); // the first octet counts unused bits (0 for keys)
}

/** Serial numbers compared as lower-case hex without leading zero octets. */
export const normalizeSerial = (hex: string): string => hex.toLowerCase().replace(/[^0-9a-f]/g, "").replace(/^(00)+(?=..)/, "");

/** Node's hash name and options for verifying with a signature AlgorithmIdentifier; null when unsupported. */
function verification(algorithmId: DerElement): { hash: string | null; pss: boolean } | null {
  const name = algorithmName(algorithmId);
  if (name === "ED25519" || name === "ED448") return { hash: null, pss: false };
  const pss = /^rsassaPss-(sha\d+)$/.exec(name);
  if (pss) return { hash: pss[1]!, pss: true };
  const hashed = /^(?:(sha\d+)WithRSAEncryption|ecdsa-with-SHA(\d+)|dsa-with-SHA(\d+))$/.exec(name);
  if (!hashed) return null;
  const hash = hashed[1] ?? `sha${hashed[2] ?? hashed[3]}`;
  return { hash: hash === "sha1" || /^sha(224|256|384|512)$/.test(hash) ? hash : null, pss: false };
}

/**
 * Whether `signature` (a BIT STRING element) over `signed` (the to-be-signed element's bytes)
 * verifies with `key` under `algorithmId`. False, never an exception, for anything unsupported
 * or malformed: an unverifiable statement is not believed.
 */
export function signatureVerifies(signed: Buffer, algorithmId: DerElement, signature: DerElement, key: KeyObject): boolean {
  const how = verification(algorithmId);
  if (!how || signature.value.length < 2) return false;
  try {
    const keyOptions = how.pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO } : key;
    return verify(how.hash, signed, keyOptions, signature.value.subarray(1));
  } catch {
    return false;
  }
}
