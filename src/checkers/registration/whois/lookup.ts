// WHOIS lookup for one domain: find the registry's server, ask it, and for thin registries
// (Verisign .com/.net) follow "Registrar WHOIS Server" to the registrar's fuller answer.
import { lacksData, type LookupContext, type LookupOutcome } from "../context.js";
import { LookupFailure } from "../failure.js";
import { politely } from "../politeness.js";
import type { RegistrationRecord } from "../record.js";
import { approvedAddresses } from "../referralGuard.js";
import type { RegistrableDomain } from "../registrableDomain.js";
import type { RawAnswer } from "../result.js";
import { classifyWhoisAnswer } from "./answers.js";
import { queryWhois, type WhoisEndpoint } from "./client.js";
import { parseWhois } from "./parse.js";
import { DEFAULT_QUERY, endpointOf, ianaReferral, lookupServer, queryLine, type WhoisServer, type WhoisTable } from "./servers.js";

export interface WhoisLookupOptions {
  /** SSLTRACKR_WHOIS_SERVERS: suffix -> server, before any table */
  overrides?: Map<string, WhoisEndpoint>;
  /** where to ask for TLDs no table knows; null: nowhere */
  ianaWhois: WhoisEndpoint | null;
}

const label = (e: WhoisEndpoint) => `${e.host}:${e.port}`;

async function ianaServer(tld: string, iana: WhoisEndpoint, ctx: LookupContext): Promise<WhoisServer | undefined> {
  if (!ctx.state.ianaReferrals.has(tld)) {
    const answer = await politely(ctx.state.limiter, label(iana), () => queryWhois(iana, `${tld}\r\n`, ctx));
    ctx.state.ianaReferrals.set(tld, ianaReferral(answer.text) ?? null);
  }
  const host = ctx.state.ianaReferrals.get(tld);
  return host ? { ...endpointOf(host), query: DEFAULT_QUERY } : undefined;
}

async function findServer(rd: RegistrableDomain, ctx: LookupContext, options: WhoisLookupOptions): Promise<WhoisServer> {
  const overrides: WhoisTable = new Map([...(options.overrides ?? [])].map(([tld, e]) => [tld, { ...e, query: DEFAULT_QUERY }]));
  const found =
    lookupServer(overrides, rd.publicSuffix) ??
    lookupServer(await ctx.state.packagedWhoisTable(), rd.publicSuffix) ??
    (options.ianaWhois ? await ianaServer(rd.tld, options.ianaWhois, ctx) : undefined);
  if (!found) throw new LookupFailure("unsupported_tld", `no RDAP or WHOIS server known for .${rd.tld}`);
  return found;
}

/**
 * Asks one server; a throttle, "no match" or empty answer becomes a LookupFailure. `address`
 * (an approved IP) is where to connect when the server was named by an answer.
 */
async function ask(
  server: WhoisServer,
  rd: RegistrableDomain,
  role: RawAnswer["role"],
  ctx: LookupContext,
  address?: string,
): Promise<{ record: RegistrationRecord; raw: RawAnswer }> {
  return politely(ctx.state.limiter, label(server), async () => {
    const answer = await queryWhois(address ? { ...server, host: address } : server, queryLine(server, rd.domain), ctx);
    const raw: RawAnswer = { source: "whois", server: label(server), role, body: answer.text, truncated: answer.truncated };
    const record = parseWhois(answer.text, rd.tld);
    const answerClass = classifyWhoisAnswer(answer.text, record);
    const where = `WHOIS ${label(server)}`;
    switch (answerClass.kind) {
      case "registered":
        break;
      case "throttled":
        throw new LookupFailure("rate_limited", `${where} throttled the query`, null, [raw]);
      case "not_found":
        throw new LookupFailure("not_found", `${where}: no match for ${rd.domain}`, null, [raw]);
      case "error":
        throw answerClass.cause === "registry_error"
          ? new LookupFailure("server_error", `${where} answered with an error`, null, [raw])
          : new LookupFailure("parse_error", `${where}: no registration data in the answer`, null, [raw]);
      default: {
        const _exhaustive: never = answerClass;
        return _exhaustive;
      }
    }
    return { record, raw };
  });
}

/** The registrar's answer, from an address the SSRF guard approves (the referral is the registry's word). */
async function askRegistrar(referral: WhoisEndpoint, rd: RegistrableDomain, ctx: LookupContext) {
  const [address] = await approvedAddresses(referral.host, `registrar WHOIS ${label(referral)}`, ctx);
  return ask({ ...referral, query: DEFAULT_QUERY }, rd, "registrar", ctx, address);
}

export async function whoisLookup(rd: RegistrableDomain, ctx: LookupContext, options: WhoisLookupOptions): Promise<LookupOutcome> {
  const server = await findServer(rd, ctx, options);
  const registry = await ask(server, rd, "registry", ctx);
  const outcome: LookupOutcome = { answers: [{ origin: "whois_registry", record: registry.record }], server: label(server), raw: [registry.raw], errors: [] };
  const referral = registry.record.referral ? endpointOf(registry.record.referral) : undefined;
  // Thin registries always refer; the registrar's answer adds its own expiry (auto-renewal).
  if (referral && label(referral) !== label(server) && (lacksData(registry.record) || registry.record.registrarExpiry === null)) {
    try {
      const registrar = await askRegistrar(referral, rd, ctx);
      outcome.answers.push({ origin: "whois_registrar", record: registrar.record });
      outcome.raw.push(registrar.raw);
    } catch (err) {
      // The registrar's server is optional: the registry's facts stand, and the error is noted.
      if (!(err instanceof LookupFailure)) throw err;
      outcome.errors.push({ origin: "whois_registrar", server: label(referral), reason: err.reason, message: err.message });
      outcome.raw.push(...err.raw);
    }
  }
  return outcome;
}
