// Revocation, where it can be known without contacting anyone: the OCSP response a server
// staples to its handshake (RFC 6960 structures, read with der.ts). The responder's signature
// is not verified; a server has no reason to staple a forged "revoked" about itself, and a
// "good" here never makes an otherwise untrusted chain valid.
import { children, readElement, type DerElement } from "./der.js";
import type { OcspStaple } from "./result.js";

const TAG_SEQUENCE = 0x30;
const TAG_CONTEXT_0 = 0xa0;
const TAG_INTEGER = 0x02;
const STATUS_TAGS: Record<number, OcspStaple["status"]> = { 0x80: "good", 0xa1: "revoked", 0x82: "unknown" };

/** GeneralizedTime "20261127232006Z" -> ISO 8601. */
function generalizedTime(value: Buffer): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(value.toString("ascii"));
  if (!m) return new Date(NaN).toISOString();
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)).toISOString();
}

/** Serial numbers compared as hex without leading zero bytes. */
const normalizeSerial = (hex: string) => hex.toLowerCase().replace(/[^0-9a-f]/g, "").replace(/^(00)+(?=..)/, "");

/** The SingleResponses of an OCSPResponse, or [] when it is not a successful basic response. */
function singleResponses(der: Buffer): DerElement[] {
  const [status, responseBytes] = children(readElement(der).value);
  if (status?.value[0] !== 0 || responseBytes?.tag !== TAG_CONTEXT_0) return [];
  const [, response] = children(readElement(responseBytes.value).value);
  if (!response) return [];
  const [tbsResponseData] = children(readElement(response.value).value);
  // ResponseData: [0] version?, responderID ([1] or [2]), producedAt, responses SEQUENCE, ...
  const responses = children(tbsResponseData?.value ?? Buffer.alloc(0)).find((el) => el.tag === TAG_SEQUENCE);
  return responses ? children(responses.value) : [];
}

/** What a stapled OCSP response says about the certificate with `serialHex`; null if it says nothing. */
export function parseOcspStaple(der: Buffer, serialHex: string): OcspStaple | null {
  if (der.length === 0) return null;
  const wanted = normalizeSerial(serialHex);
  try {
    for (const single of singleResponses(der)) {
      const [certId, certStatus] = children(single.value);
      const serial = children(certId?.value ?? Buffer.alloc(0)).find((el) => el.tag === TAG_INTEGER);
      const status = certStatus ? STATUS_TAGS[certStatus.tag] : undefined;
      if (!serial || !status || normalizeSerial(serial.value.toString("hex")) !== wanted) continue;
      const revokedAt = status === "revoked" ? generalizedTime(children(certStatus!.value)[0]!.value) : null;
      return { status, revoked_at: revokedAt };
    }
  } catch {
    // A malformed staple tells us nothing; it must not fail the check.
  }
  return null;
}
