// ACME renewal information (RFC 9773) for the leaf an SSL check found: which CA to ask (the
// issuer table and SSLTRACKR_ACME_DIRECTORIES), under which identifier, and whether the cache
// (Retry-After, kept on the domain's stream) lets us ask now.
import type { SslCheckOk } from "../ssl/result.js";
import { dnAttribute } from "../ssl/distinguishedName.js";
import { directoryFor } from "./acmeDirectories.js";
import { ariCertificateId } from "./certificateId.js";
import { fetchRenewalInfo, type AriFetchOptions } from "./fetchRenewalInfo.js";
import type { RenewalInfo } from "./result.js";

export type { RenewalInfo } from "./result.js";

export interface AriOptions extends AriFetchOptions {
  /** SSLTRACKR_ACME_DIRECTORIES. */
  readonly directories: Readonly<Record<string, string>>;
}

/**
 * Looks up the renewal window of `result`'s leaf (the top-level one), or undefined when there
 * is nothing to ask: the leaf has expired (RFC 9773 §4.3: stop checking then), it has no
 * Authority Key Identifier, no directory is known for its issuer, or `cachedUntil` says the CA
 * asked us to wait (its Retry-After has not passed).
 */
export async function lookUpRenewalInfo(
  result: SslCheckOk,
  cachedUntil: (certificateId: string) => Date | null,
  options: AriOptions,
): Promise<RenewalInfo | undefined> {
  if (Date.parse(result.valid_to) <= options.now.getTime()) return undefined;
  const authorityKeyId = result.authority_key_identifier ?? null;
  const certificateId = ariCertificateId(authorityKeyId, result.serial_number);
  if (!certificateId) return undefined;
  const issuer = { authorityKeyId, organization: dnAttribute(result.issuer, "O"), commonName: dnAttribute(result.issuer, "CN") };
  const directoryUrl = directoryFor(issuer, options.directories);
  if (!directoryUrl) return undefined;
  const until = cachedUntil(certificateId);
  if (until && until > options.now) return undefined;
  return fetchRenewalInfo({ certificateId, fingerprint: result.fingerprint_sha256, directoryUrl }, options);
}
