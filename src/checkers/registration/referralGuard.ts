// Servers named inside an answer (a registrar's RDAP link, a WHOIS "Registrar WHOIS Server")
// are chosen by third parties, so they pass the SSRF guard before any connection, like SSL
// check and webhook targets; the connection then goes only to the approved addresses.
import { pinnedFetch } from "../../infrastructure/network/pinnedFetch.js";
import { resolveTarget, TargetError } from "../../infrastructure/network/targets.js";
import type { LookupContext } from "./context.js";
import { LookupFailure } from "./failure.js";

/** The addresses `host` may be reached at; a LookupFailure when the guard refuses it. */
export async function approvedAddresses(host: string, what: string, ctx: LookupContext): Promise<string[]> {
  try {
    return await resolveTarget(host, {
      allowPrivate: ctx.guard.allowPrivate,
      ...(ctx.guard.resolveOverrides ? { resolveOverrides: ctx.guard.resolveOverrides } : {}),
      timeoutMs: ctx.timeoutMs,
    });
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    const reason = err.reason === "private_address" ? "private_address" : err.reason === "dns_failure" ? "connection_error" : "parse_error";
    throw new LookupFailure(reason, `${what}: ${err.message}`);
  }
}

/** An RDAP link from an answer, if it is a plain http(s) URL without credentials. */
export function referralUrl(href: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new LookupFailure("parse_error", `${what}: not a URL: ${href}`);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "") {
    throw new LookupFailure("parse_error", `${what}: not an http(s) URL without credentials: ${href}`);
  }
  return url;
}

/** RDAP servers may redirect (RFC 7480 section 5.2); a few hops are plenty. */
const MAX_REDIRECTS = 3;

/**
 * A fetch for a registrar's RDAP URL: every hop (the link, then each redirect) is checked as
 * a URL, passes the SSRF guard, and is requested only from the approved addresses.
 */
export function guardedFetch(ctx: LookupContext, what: string): typeof fetch {
  return async (input, init) => {
    let url = referralUrl(input instanceof Request ? input.url : input.toString(), what);
    for (let hop = 0; ; hop++) {
      const response = await pinnedFetch(await approvedAddresses(url.hostname, what, ctx))(url, init);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || location === null || hop === MAX_REDIRECTS) return response;
      await response.body?.cancel();
      url = referralUrl(new URL(location, url).href, `${what} (redirected)`);
    }
  };
}
