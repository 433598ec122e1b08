// The registered domain behind a monitored hostname, by the Public Suffix List (tldts).
// Only ICANN suffixes count: for foo.github.io the registration that can lapse is github.io's;
// "private" suffixes (github.io, blogspot.com...) are operated by a company, not a registry,
// and have no RDAP/WHOIS record for foo.github.io. IDNs are converted to punycode (UTS #46).
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { parse } from "tldts";

export interface RegistrableDomain {
  /** the hostname in punycode, lower case, without trailing dot */
  hostname: string;
  /** e.g. example.co.uk */
  domain: string;
  /** e.g. co.uk */
  publicSuffix: string;
  /** the last label, e.g. uk: what RDAP bootstrap and WHOIS tables are keyed by */
  tld: string;
}

export function registrableDomain(input: string): RegistrableDomain | undefined {
  const trimmed = input.trim().replace(/\.$/, "");
  if (trimmed === "" || isIP(trimmed.replace(/^\[|\]$/g, "")) !== 0) return undefined;
  const hostname = domainToASCII(trimmed);
  if (hostname === "") return undefined;
  const parsed = parse(hostname, { allowPrivateDomains: false });
  if (!parsed.domain || !parsed.publicSuffix) return undefined;
  return {
    hostname,
    domain: parsed.domain,
    publicSuffix: parsed.publicSuffix,
    tld: parsed.publicSuffix.split(".").at(-1)!,
  };
}
