// Whether the leaf was revoked, from the first source that answers for certain, cheapest
// first: the OCSP response the server stapled (no request at all), the CRLs of its CRL
// Distribution Points (one fetch per CRL per nextUpdate, shared by all certificates of the
// CA), then the OCSP responders of its Authority Information Access (one request per
// certificate; can be turned off). Every answer is believed only when the issuer's key (or a
// responder it authorized) signed it and it is current. A server that fails, or an answer
// that is not believed, never fails the check: the result is "unknown" with the reasons.
import type { X509Certificate } from "node:crypto";
import { infoAccessUrls } from "../certificate.js";
import { ocspRequest, readOcspResponse, type OcspReading } from "../ocsp.js";
import type { RevocationFacts } from "../result.js";
import type { RevocationAnswer } from "./answer.js";
import { crlDistributionUrls } from "./certificateParts.js";
import { crlAnswer, crlDoubt, parseCrl } from "./crl.js";
import type { CrlFetch, RevocationCache } from "./revocationCache.js";
import { fetchRevocationData, type RevocationFetchOptions } from "./revocationFetch.js";

export interface RevocationSettings {
  /** Ask the certificate's OCSP responders (SSLTRACKR_OCSP_QUERIES). */
  ocspQueries: boolean;
  /** A CRL larger than this is not read (SSLTRACKR_CRL_MAX_BYTES). */
  maxCrlBytes: number;
  fetch: RevocationFetchOptions;
  cache: RevocationCache;
}

/** OCSP responses are small (RFC 5019 responders send one response of a few hundred bytes). */
const MAX_OCSP_BYTES = 64 * 1024;

type Source = NonNullable<RevocationFacts["revocation_source"]>;

function facts(answer: Exclude<RevocationAnswer, { status: "unknown" }>, source: Source): RevocationFacts {
  return answer.status === "good"
    ? { revocation: "good", revocation_source: source, revocation_reason: null, revoked_at: null }
    : { revocation: "revoked", revocation_source: source, revocation_reason: answer.reason, revoked_at: answer.revokedAt };
}

const unknownFacts = (why: string): RevocationFacts => ({ revocation: "unknown", revocation_source: null, revocation_reason: why, revoked_at: null });

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function loadCrl(url: string, settings: RevocationSettings) {
  return async () => {
    try {
      const der = await fetchRevocationData(url, { accept: "application/pkix-crl", maxBytes: settings.maxCrlBytes }, settings.fetch);
      const crl = parseCrl(der);
      return { value: { crl } as CrlFetch, nextUpdate: crl.nextUpdate, failed: false };
    } catch (err) {
      return { value: { error: `CRL ${url}: ${message(err)}` } as CrlFetch, nextUpdate: null, failed: true };
    }
  };
}

async function fromCrl(url: string, leaf: X509Certificate, issuer: X509Certificate, now: Date, settings: RevocationSettings): Promise<RevocationAnswer> {
  const fetched = await settings.cache.crls.get(url, now, loadCrl(url, settings));
  if ("error" in fetched) return { status: "unknown", why: fetched.error };
  const doubt = crlDoubt(fetched.crl, issuer, now);
  return doubt ? { status: "unknown", why: `CRL ${url}: ${doubt}` } : crlAnswer(fetched.crl, leaf);
}

function loadOcsp(url: string, leaf: X509Certificate, issuer: X509Certificate, now: Date, settings: RevocationSettings) {
  return async () => {
    let reading: OcspReading;
    try {
      const body = ocspRequest(leaf, issuer);
      const der = await fetchRevocationData(url, { body, contentType: "application/ocsp-request", accept: "application/ocsp-response", maxBytes: MAX_OCSP_BYTES }, settings.fetch);
      reading = readOcspResponse(der, leaf, issuer, now);
    } catch (err) {
      reading = { answer: { status: "unknown", why: message(err) }, nextUpdate: null };
    }
    return { value: reading, nextUpdate: reading.nextUpdate, failed: reading.answer.status === "unknown" };
  };
}

async function fromOcsp(url: string, leaf: X509Certificate, issuer: X509Certificate, now: Date, settings: RevocationSettings): Promise<RevocationAnswer> {
  const key = `${url} ${issuer.fingerprint256} ${leaf.serialNumber}`;
  const { answer } = await settings.cache.ocsp.get(key, now, loadOcsp(url, leaf, issuer, now, settings));
  return answer.status === "unknown" ? { status: "unknown", why: `OCSP ${url}: ${answer.why}` } : answer;
}

/**
 * The revocation facts of `leaf`. `issuer` is the certificate that issued it (null when it was
 * neither sent nor trusted, or the leaf is self-signed); `staple` the stapled OCSP response.
 * Without `settings`, only the staple is read. Never rejects.
 */
export async function checkRevocation(
  leaf: X509Certificate,
  issuer: X509Certificate | null,
  staple: Buffer | null,
  now: Date,
  settings: RevocationSettings | undefined,
): Promise<RevocationFacts> {
  if (!issuer) return unknownFacts("the issuer's certificate is not available to verify a revocation answer");
  const doubts: string[] = [];
  if (staple && staple.length > 0) {
    const { answer } = readOcspResponse(staple, leaf, issuer, now);
    if (answer.status !== "unknown") return facts(answer, "staple");
    doubts.push(`stapled OCSP: ${answer.why}`);
  }
  if (!settings) return unknownFacts([...doubts, "CRL and OCSP look-ups are not configured"].join("; "));
  const crlUrls = crlDistributionUrls(leaf);
  const ocspUrls = infoAccessUrls(leaf.infoAccess, "OCSP");
  const lookups: Array<{ source: Source; run: () => Promise<RevocationAnswer> }> = [
    ...crlUrls.map((url) => ({ source: "crl" as const, run: () => fromCrl(url, leaf, issuer, now, settings) })),
    ...(settings.ocspQueries ? ocspUrls.map((url) => ({ source: "ocsp" as const, run: () => fromOcsp(url, leaf, issuer, now, settings) })) : []),
  ];
  for (const { source, run } of lookups) {
    const answer = await run().catch((err: unknown): RevocationAnswer => ({ status: "unknown", why: message(err) }));
    if (answer.status !== "unknown") return facts(answer, source);
    doubts.push(answer.why);
  }
  if (!settings.ocspQueries && ocspUrls.length > 0) doubts.push("OCSP queries are turned off");
  if (crlUrls.length === 0 && ocspUrls.length === 0) doubts.push("the certificate names no CRL distribution point and no OCSP responder");
  return unknownFacts(doubts.join("; "));
}
