// Certificate Revocation Lists (RFC 5280 §5): read, then believed only when the issuer's key
// verifies their signature, their issuer is the certificate's issuer, they are complete (not a
// delta) and current (thisUpdate passed, nextUpdate not). Pure: the bytes and the time come in.
import type { X509Certificate } from "node:crypto";
import { children, decodeOid, decodeTime, DerError, readElement, type DerElement } from "../der.js";
import { extensionValue, normalizeSerial, signatureVerifies, tbsParts } from "./certificateParts.js";
import { crlReasonName, type RevocationAnswer } from "./answer.js";
import { isoInstant } from "../../../shared/instant.js";

const TAG_INTEGER = 0x02;
const TAG_SEQUENCE = 0x30;
const TAG_CRL_EXTENSIONS = 0xa0;
const TIME_TAGS = new Set([0x17, 0x18]);
const OID_REASON_CODE = "2.5.29.21";
const OID_DELTA_CRL_INDICATOR = "2.5.29.27";
/** Clocks of CAs and checkers a little apart: a CRL "from the future" by less than this is current. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface RevokedEntry {
  revokedAt: string;
  /** RFC 5280 §5.3.1 CRLReason name; "unspecified" when the entry gives none. */
  reason: string;
}

export interface Crl {
  /** The issuer Name element's bytes. */
  issuer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** A delta CRL lists only changes since a base CRL: "not listed" means nothing then. */
  delta: boolean;
  /** By normalized serial (normalizeSerial). */
  revoked: Map<string, RevokedEntry>;
  tbs: Buffer;
  algorithm: DerElement;
  signature: DerElement;
}

function revokedEntry(entry: DerElement): [string, RevokedEntry] {
  // { userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL }
  const [serial, date, extensions] = children(entry.value);
  if (serial?.tag !== TAG_INTEGER || !date) throw new DerError("malformed revoked certificate entry");
  const reasonValue = extensions ? extensionValue(children(extensions.value), OID_REASON_CODE) : null;
  const reason = reasonValue ? crlReasonName(readElement(reasonValue).value[0] ?? 0) : "unspecified";
  return [normalizeSerial(serial.value.toString("hex")), { revokedAt: isoInstant(decodeTime(date)), reason }];
}

/** Reads a DER CertificateList; a DerError when it is not one. */
export function parseCrl(der: Buffer): Crl {
  const outer = readElement(der);
  if (outer.tag !== TAG_SEQUENCE || outer.end !== der.length) throw new DerError("not a DER CertificateList");
  const [tbs, algorithm, signature] = children(outer.value);
  if (!tbs || !algorithm || !signature) throw new DerError("truncated CertificateList");
  // TBSCertList { version INTEGER OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL, revokedCertificates OPTIONAL, [0] crlExtensions }
  const fields = children(tbs.value);
  const [, issuer, thisUpdate, ...rest] = fields[0]?.tag === TAG_INTEGER ? fields.slice(1) : fields;
  if (!issuer || !thisUpdate) throw new DerError("truncated TBSCertList");
  const nextUpdate = rest[0] && TIME_TAGS.has(rest[0].tag) ? rest.shift()! : null;
  const list = rest[0]?.tag === TAG_SEQUENCE ? rest.shift()! : null;
  const extensionsWrapper = rest.find((el) => el.tag === TAG_CRL_EXTENSIONS);
  const extensions = extensionsWrapper ? children(readElement(extensionsWrapper.value).value) : [];
  return {
    issuer: issuer.raw,
    thisUpdate: decodeTime(thisUpdate),
    nextUpdate: nextUpdate ? decodeTime(nextUpdate) : null,
    delta: extensions.some((ext) => decodeOid(children(ext.value)[0]?.value ?? Buffer.alloc(0)) === OID_DELTA_CRL_INDICATOR),
    revoked: new Map(list ? children(list.value).map(revokedEntry) : []),
    tbs: tbs.raw,
    algorithm,
    signature,
  };
}

/** Why `crl` cannot be believed about certificates of `issuer` at `now`; null when it can. */
export function crlDoubt(crl: Crl, issuer: X509Certificate, now: Date): string | null {
  if (!crl.issuer.equals(tbsParts(issuer.raw).subject.raw)) return "the CRL is not the certificate issuer's";
  if (crl.delta) return "the CRL is a delta CRL";
  if (!signatureVerifies(crl.tbs, crl.algorithm, crl.signature, issuer.publicKey)) return "the CRL's signature does not verify with the issuer's key";
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) return `the CRL is not valid before ${crl.thisUpdate.toISOString()}`;
  if (crl.nextUpdate && crl.nextUpdate.getTime() <= now.getTime()) return `the CRL expired at ${crl.nextUpdate.toISOString()} (its nextUpdate)`;
  return null;
}

/** What a believed CRL says about `leaf`: listed (revoked) or not (good). Check crlDoubt first. */
export function crlAnswer(crl: Crl, leaf: X509Certificate): RevocationAnswer {
  const entry = crl.revoked.get(normalizeSerial(leaf.serialNumber));
  return entry ? { status: "revoked", revokedAt: entry.revokedAt, reason: entry.reason } : { status: "good" };
}
