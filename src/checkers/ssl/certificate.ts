// Facts about the certificates a server presented, in the result's formats.
import { X509Certificate } from "node:crypto";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
import { children, decodeOid, readElement, type DerElement } from "./der.js";
import type { CertificateFacts, EarliestExpiry, KeyFacts } from "./result.js";
import { isoInstant } from "../../shared/instant.js";

const DAY_MS = 86_400_000;

/** Node prints names one attribute per line in encoding order (C first); RFC 4514 reverses that. */
export function formatDistinguishedName(multiline: string): string {
  return multiline.split("\n").filter(Boolean).reverse().join(", ");
}

/** "03A1B2" -> "03:a1:b2". */
export function formatSerial(hex: string): string {
  const even = hex.length % 2 === 1 ? `0${hex}` : hex;
  return (even.toLowerCase().match(/../g) ?? []).join(":");
}

/** DNS names and IP addresses from Node's subjectAltName string ("DNS:a, IP Address:1.2.3.4"). */
export function parseSubjectAltNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  // Node JSON-quotes values that contain separators, so a value is either quoted or comma-free.
  for (const m of subjectAltName.matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    if (m[1] === "DNS" || m[1] === "IP Address") names.push(value);
  }
  return names;
}

const SIGNATURE_OIDS: Record<string, string> = {
  "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.2.840.10040.4.3": "dsa-with-SHA1",
  "2.16.840.1.101.3.4.3.2": "dsa-with-SHA256",
  "1.3.101.112": "ED25519",
  "1.3.101.113": "ED448",
};
const RSASSA_PSS = "1.2.840.113549.1.1.10";
const HASH_OIDS: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
  "2.16.840.1.101.3.4.2.4": "sha224",
};

/** RSASSA-PSS names its hash in the parameters; absent means SHA-1 (RFC 4055). */
function pssHash(params: Buffer | undefined): string {
  const hashField = params ? children(params).find((el) => el.tag === 0xa0) : undefined;
  if (!hashField) return "sha1";
  const algorithm = readElement(readElement(hashField.value).value);
  const oid = decodeOid(algorithm.value);
  return HASH_OIDS[oid] ?? oid;
}

/** The certificate's signatureAlgorithm, named as OpenSSL does (e.g. sha256WithRSAEncryption). */
export function signatureAlgorithm(der: Buffer): string {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }
  const [, algorithmId] = children(readElement(der).value);
  return algorithmId ? algorithmName(algorithmId) : "unknown";
}

/** A signature AlgorithmIdentifier (of a certificate, CRL or OCSP response), named as OpenSSL does. */
export function algorithmName(algorithmId: DerElement): string {
  const [oidEl, params] = children(algorithmId.value);
  if (!oidEl) return "unknown";
  const oid = decodeOid(oidEl.value);
  if (oid === RSASSA_PSS) return `rsassaPss-${pssHash(params?.tag === 0x30 ? params.value : undefined)}`;
  return SIGNATURE_OIDS[oid] ?? oid;
}

/** MD2/MD5 and SHA-1 signatures are forgeable or distrusted by browsers. */
export function signatureWeakness(algorithm: string): "md5" | "sha1" | null {
  if (/md[25]/i.test(algorithm)) return "md5";
  if (/sha-?1(?!\d)/i.test(algorithm)) return "sha1";
  return null;
}

const KEY_TYPE_NAMES: Record<string, string> = { rsa: "RSA", "rsa-pss": "RSA-PSS", dsa: "DSA", ec: "EC", ed25519: "Ed25519", ed448: "Ed448" };
const FIXED_KEY_BITS: Record<string, number> = { ed25519: 256, ed448: 456 };

export function keyFacts(cert: X509Certificate): KeyFacts {
  const key = cert.publicKey;
  const type = key.asymmetricKeyType ?? "unknown";
  const details = key.asymmetricKeyDetails ?? {};
  // The legacy object carries the EC field size, which asymmetricKeyDetails lacks.
  const legacyBits = (cert.toLegacyObject() as { bits?: number }).bits;
  const bits = details.modulusLength ?? legacyBits ?? FIXED_KEY_BITS[type] ?? 0;
  return { type: KEY_TYPE_NAMES[type] ?? type, bits, curve: details.namedCurve ?? null };
}

/** The "<method> - URI:" entries of Node's infoAccess text (Authority Information Access, RFC 5280 §4.2.2.1). */
export function infoAccessUrls(infoAccess: string | undefined, method: "CA Issuers" | "OCSP"): string[] {
  return [...(infoAccess ?? "").matchAll(/^(.+?) - URI:(.+)$/gm)].filter((m) => m[1] === method).map((m) => m[2]!.trim());
}

/** The "CA Issuers" URLs: where the issuer certificate can be fetched. */
export const caIssuerUrls = (infoAccess: string | undefined): string[] => infoAccessUrls(infoAccess, "CA Issuers");

export function daysRemaining(validTo: Date, now: Date): number {
  return Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
}

/** Issued by itself. Not checkIssued(): that also wants keyCertSign, which self-signed leaves lack. */
function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && cert.verify(cert.publicKey);
}

export function describeCertificate(cert: X509Certificate, depth: number, now: Date): CertificateFacts {
  const validTo = new Date(cert.validTo);
  return {
    depth,
    subject: formatDistinguishedName(cert.subject),
    issuer: formatDistinguishedName(cert.issuer),
    valid_from: isoInstant(new Date(cert.validFrom)),
    valid_to: isoInstant(validTo),
    days_remaining: daysRemaining(validTo, now),
    serial_number: formatSerial(cert.serialNumber),
    fingerprint_sha256: cert.fingerprint256.toLowerCase(),
    signature_algorithm: signatureAlgorithm(cert.raw),
    self_signed: isSelfSigned(cert),
    ca_issuers: caIssuerUrls(cert.infoAccess),
  };
}

/**
 * The peer's chain, leaf first, as Node reports it: the certificates the server sent, completed
 * from the local trust store when verification found the root there.
 */
export function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  // A root's issuerCertificate points back at itself; `seen` also guards odd loops.
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * The certificate that expires first, ignoring self-signed roots above the leaf: clients use
 * their own copy of a trust anchor, so its expiry in the chain does not break anything.
 */
export function earliestExpiry(chain: CertificateFacts[], ipAddress: string): EarliestExpiry {
  const candidates = chain.filter((c) => c.depth === 0 || !c.self_signed);
  const first = candidates.reduce((a, b) => (Date.parse(b.valid_to) < Date.parse(a.valid_to) ? b : a));
  return { depth: first.depth, subject: first.subject, valid_to: first.valid_to, days_remaining: first.days_remaining, ip_address: ipAddress };
}
