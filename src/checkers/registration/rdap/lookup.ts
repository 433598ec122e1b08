// RDAP lookup for one domain: the registry's answer, completed from the registrar's RDAP
// server (links rel=related) when the registry leaves fields out.
import { lacksData, type LookupContext, type LookupOutcome } from "../context.js";
import { LookupFailure } from "../failure.js";
import { politely } from "../politeness.js";
import { mergeRecords, type RegistrationRecord } from "../record.js";
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

export async function rdapLookup(domain: string, baseUrl: string, ctx: LookupContext): Promise<LookupOutcome> {
  const registry = await ask(rdapDomainUrl(baseUrl, domain), "registry", ctx);
  const outcome: LookupOutcome = { record: registry.record, server: baseUrl, raw: [registry.raw] };
  const link = registry.record.referral;
  if (link && lacksData(registry.record)) {
    try {
      const registrar = await ask(link, "registrar", ctx);
      outcome.record = mergeRecords(registry.record, registrar.record);
      outcome.raw.push(registrar.raw);
    } catch {
      // The registrar's server is optional: the registry's data stands on its own.
    }
  }
  return outcome;
}
