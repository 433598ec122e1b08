// OCSP (RFC 6960) messages, read with der.ts: the response a server staples to its handshake
// (reported as `ocsp_staple`, as read, without its signature checked) and, for the check's
// `revocation` facts, any response (stapled or from the responder) believed only when the
// issuer or a responder it authorized signed it and it is current. Also the request sent to a
// responder. Pure.
import { createHash, X509Certificate } from "node:crypto";
import { children, decodeTime, encodeElement, readElement, type DerElement } from "./der.js";
import type { OcspStaple } from "./result.js";
import { normalizeSerial, publicKeyBits, signatureVerifies, tbsParts } from "./revocation/certificateParts.js";
import { crlReasonName, type RevocationAnswer } from "./revocation/answer.js";
import { isoInstant } from "../../shared/instant.js";

const TAG_SEQUENCE = 0x30;
const TAG_CONTEXT_0 = 0xa0;
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const STATUS_TAGS: Record<number, OcspStaple["status"]> = { 0x80: "good", 0xa1: "revoked", 0x82: "unknown" };
/** id-kp-OCSPSigning: the extended key usage of a responder the issuer delegated to (RFC 6960 §4.2.2.2). */
const OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
/** AlgorithmIdentifier of SHA-1, the CertID hash every responder supports (RFC 5019 §2.1.1). */
const SHA1_ALGORITHM = Buffer.from("300906052b0e03021a0500", "hex");
const CLOCK_SKEW_MS = 5 * 60_000;

interface SingleResponse {
  serial: string;
  status: OcspStaple["status"];
  revokedAt: string | null;
  reason: string | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

interface BasicResponse {
  tbs: Buffer;
  algorithm: DerElement;
  signature: DerElement;
  /** Certificates sent with the response (a delegated responder's). */
  certs: Buffer[];
  singles: SingleResponse[];
}

function singleResponse(single: DerElement): SingleResponse | null {
  // SingleResponse { certID, certStatus, thisUpdate, [0] nextUpdate, [1] extensions }
  const [certId, certStatus, thisUpdate, ...rest] = children(single.value);
  const serial = children(certId?.value ?? Buffer.alloc(0)).find((el) => el.tag === TAG_INTEGER);
  const status = certStatus ? STATUS_TAGS[certStatus.tag] : undefined;
  if (!serial || !status || !thisUpdate) return null;
  // RevokedInfo { revocationTime, [0] EXPLICIT revocationReason CRLReason OPTIONAL }
  const [revokedAt, reason] = status === "revoked" ? children(certStatus!.value) : [];
  const next = rest.find((el) => el.tag === TAG_CONTEXT_0);
  return {
    serial: normalizeSerial(serial.value.toString("hex")),
    status,
    revokedAt: revokedAt ? isoInstant(decodeTime(revokedAt)) : null,
    reason: status !== "revoked" ? null : reason ? crlReasonName(readElement(reason.value).value[0] ?? 0) : "unspecified",
    thisUpdate: decodeTime(thisUpdate),
    nextUpdate: next ? decodeTime(readElement(next.value)) : null,
  };
}

/** The BasicOCSPResponse inside an OCSPResponse; null when the response is not a successful one. */
function basicResponse(der: Buffer): BasicResponse | null {
  const [status, responseBytes] = children(readElement(der).value);
  if (status?.value[0] !== 0 || responseBytes?.tag !== TAG_CONTEXT_0) return null;
  const [, response] = children(readElement(responseBytes.value).value);
  if (!response) return null;
  // BasicOCSPResponse { tbsResponseData, signatureAlgorithm, signature, [0] EXPLICIT certs }
  const [tbsResponseData, algorithm, signature, certsWrapper] = children(readElement(response.value).value);
  if (!tbsResponseData || !algorithm || !signature) return null;
  // ResponseData: [0] version?, responderID ([1] or [2]), producedAt, responses SEQUENCE, ...
  const responses = children(tbsResponseData.value).find((el) => el.tag === TAG_SEQUENCE);
  const singles = (responses ? children(responses.value) : []).map(singleResponse).filter((s): s is SingleResponse => s !== null);
  const certs = certsWrapper?.tag === TAG_CONTEXT_0 ? children(readElement(certsWrapper.value).value).map((el) => el.raw) : [];
  return { tbs: tbsResponseData.raw, algorithm, signature, certs, singles };
}

/** What a stapled OCSP response says about the certificate with `serialHex`; null if it says nothing. */
export function parseOcspStaple(der: Buffer, serialHex: string): OcspStaple | null {
  if (der.length === 0) return null;
  try {
    const single = basicResponse(der)?.singles.find((s) => s.serial === normalizeSerial(serialHex));
    return single ? { status: single.status, revoked_at: single.revokedAt } : null;
  } catch {
    // A malformed staple tells us nothing; it must not fail the check.
    return null;
  }
}

/** The issuer itself, or a certificate it issued for OCSP signing that is valid at `now`, signed `basic`. */
function signedByIssuer(basic: BasicResponse, issuer: X509Certificate, now: Date): boolean {
  const verifiesWith = (cert: X509Certificate) => signatureVerifies(basic.tbs, basic.algorithm, basic.signature, cert.publicKey);
  if (verifiesWith(issuer)) return true;
  return basic.certs.some((raw) => {
    const responder = new X509Certificate(raw);
    const current = Date.parse(responder.validFrom) <= now.getTime() && now.getTime() < Date.parse(responder.validTo);
    const delegated = responder.checkIssued(issuer) && responder.verify(issuer.publicKey) && (responder.keyUsage ?? []).includes(OCSP_SIGNING);
    return current && delegated && verifiesWith(responder);
  });
}

export interface OcspReading {
  answer: RevocationAnswer;
  /** Until when the answer may be reused (the SingleResponse's nextUpdate), when it gives one. */
  nextUpdate: Date | null;
}

/** What an OCSP response (stapled or queried) says about `leaf`, believed only when signed by `issuer`'s authority and current. */
export function readOcspResponse(der: Buffer, leaf: X509Certificate, issuer: X509Certificate, now: Date): OcspReading {
  const unknown = (why: string): OcspReading => ({ answer: { status: "unknown", why }, nextUpdate: null });
  let basic: BasicResponse | null;
  try {
    basic = basicResponse(der);
  } catch {
    return unknown("the OCSP response is not valid DER");
  }
  if (!basic) return unknown("the OCSP response is not a successful basic response");
  if (!signedByIssuer(basic, issuer, now)) return unknown("the OCSP response's signature does not verify with the issuer's key or a responder it authorized");
  const single = basic.singles.find((s) => s.serial === normalizeSerial(leaf.serialNumber));
  if (!single) return unknown("the OCSP response says nothing about this certificate");
  if (single.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) return unknown(`the OCSP response is not valid before ${single.thisUpdate.toISOString()}`);
  if (single.nextUpdate && single.nextUpdate.getTime() <= now.getTime()) return unknown(`the OCSP response expired at ${single.nextUpdate.toISOString()}`);
  const { nextUpdate } = single;
  if (single.status === "unknown") return { answer: { status: "unknown", why: "the OCSP responder does not know the certificate" }, nextUpdate };
  if (single.status === "good") return { answer: { status: "good" }, nextUpdate };
  return { answer: { status: "revoked", revokedAt: single.revokedAt!, reason: single.reason! }, nextUpdate };
}

const sha1 = (data: Buffer) => createHash("sha1").update(data).digest();

/** An OCSPRequest for `leaf` (RFC 6960 §4.1.1), unsigned and without a nonce (optional, §4.4.1; RFC 5019 responders ignore it). */
export function ocspRequest(leaf: X509Certificate, issuer: X509Certificate): Buffer {
  const seq = (...contents: Buffer[]) => encodeElement(TAG_SEQUENCE, ...contents);
  const certId = seq(
    SHA1_ALGORITHM,
    encodeElement(TAG_OCTET_STRING, sha1(tbsParts(issuer.raw).subject.raw)),
    encodeElement(TAG_OCTET_STRING, sha1(publicKeyBits(issuer))),
    tbsParts(leaf.raw).serial.raw,
  );
  // OCSPRequest { TBSRequest { requestList SEQUENCE OF Request { reqCert CertID } } }
  return seq(seq(seq(seq(certId))));
}
