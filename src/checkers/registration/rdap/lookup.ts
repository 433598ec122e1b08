// RDAP lookup for one domain: the registry's answer, then the registrar's RDAP server when the
// registry links it (links rel=related, RFC 9083 section 4.2; the ICANN RDAP profile requires
// the link for gTLDs). The registrar's answer has the registrar's own expiry, which leads the
// registry's around auto-renewal, and fills fields the registry leaves out.
import { lacksData, type LookupContext, type LookupOutcome } from "../context.js";
import { LookupFailure } from "../failure.js";
import { politely } from "../politeness.js";
import type { RegistrationRecord } from "../record.js";
import { guardedFetch, referralUrl } from "../referralGuard.js";
import type { RawAnswer } from "../result.js";
import { queryRdap, rdapDomainUrl } from "./client.js";
import { parseRdap, RdapParseError } from "./parse.js";

async function ask(url: string, role: RawAnswer["role"], ctx: LookupContext): Promise<{ record: RegistrationRecord; raw: RawAnswer }> {
  const answer = await politely(ctx.state.limiter, new URL(url).host, () => queryRdap(url, ctx));
  const raw: RawAnswer = { source: "rdap", server: url, role, body: answer.body, truncated: false };
  try {
    return { record: parseRdap(answer.json), raw };
  } catch (err) {
    if (err instanceof RdapParseError) throw new LookupFailure("parse_error", `RDAP ${url}: ${err.message}`, null, [raw]);
    throw err;
  }
}

/** The registrar's answer, fetched (redirects included) only from addresses the SSRF guard approves. */
async function askRegistrar(href: string, ctx: LookupContext) {
  const what = `registrar RDAP ${href}`;
  return ask(referralUrl(href, what).href, "registrar", { ...ctx, fetch: guardedFetch(ctx, what) });
}

export async function rdapLookup(domain: string, baseUrl: string, ctx: LookupContext): Promise<LookupOutcome> {
  const registryUrl = rdapDomainUrl(baseUrl, domain);
  const registry = await ask(registryUrl, "registry", ctx);
  const outcome: LookupOutcome = { answers: [{ origin: "rdap_registry", record: registry.record }], server: baseUrl, raw: [registry.raw], errors: [] };
  const link = registry.record.referral;
  if (link && link !== registryUrl && (lacksData(registry.record) || registry.record.registrarExpiry === null)) {
    try {
      const registrar = await askRegistrar(link, ctx);
      outcome.answers.push({ origin: "rdap_registrar", record: registrar.record });
      outcome.raw.push(registrar.raw);
    } catch (err) {
      // The registrar's server is optional: the registry's facts stand, and the error is noted.
      if (!(err instanceof LookupFailure)) throw err;
      outcome.errors.push({ origin: "rdap_registrar", server: link, reason: err.reason, message: err.message });
      outcome.raw.push(...err.raw);
    }
  }
  return outcome;
}
