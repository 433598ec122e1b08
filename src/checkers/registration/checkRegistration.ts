// Registration check of one monitored hostname: registrable domain -> RDAP (when the TLD has
// an RDAP service) -> WHOIS when RDAP is missing or fails. A 404 from RDAP is an answer
// ("no such domain"), not a failure, so it does not fall back to WHOIS. An RDAP answer with
// no expiry at all (.fi, .no style) is completed from WHOIS when the TLD's WHOIS has one.
import { combineAnswers } from "./combine.js";
import type { LookupContext, LookupOutcome } from "./context.js";
import { LookupFailure, networkFailure } from "./failure.js";
import { effectiveExpiry } from "./record.js";
import { rdapBaseUrls, IANA_RDAP_DNS_URL } from "./rdap/bootstrap.js";
import { rdapLookup } from "./rdap/lookup.js";
import { registrableDomain, type RegistrableDomain } from "./registrableDomain.js";
import { defaultRegistryState, type RegistryState } from "./registryState.js";
import { registrationCheckResult, type RegistrationCheckResult } from "./result.js";
import type { WhoisEndpoint } from "./whois/client.js";
import { whoisLookup, type WhoisLookupOptions } from "./whois/lookup.js";
import { IANA_WHOIS } from "./whois/servers.js";

export interface RegistrationCheckOptions {
  /** the check's clock: checked_at and days_remaining */
  now: Date;
  /** per network query */
  timeoutMs: number;
  /** cap on each answer read (and kept in `raw`); default 256 KiB */
  maxResponseBytes?: number;
  /** SSLTRACKR_RDAP_BOOTSTRAP: path or URL of an RFC 9224 file used instead of IANA's */
  rdapBootstrap?: string;
  /** SSLTRACKR_WHOIS_SERVERS */
  whoisServers?: Map<string, WhoisEndpoint>;
  fetch?: typeof fetch;
  /** where the live IANA bootstrap file is fetched from */
  bootstrapRefreshUrl?: string;
  /** IANA's WHOIS, asked for TLDs no table knows; null disables it */
  ianaWhois?: WhoisEndpoint | null;
  /** shared caches and per-server limits; defaults to one instance per process */
  state?: RegistryState;
  /**
   * SSLTRACKR_ALLOW_PRIVATE_TARGETS: may registrar servers named in an answer (RDAP link,
   * WHOIS referral) be loopback/private addresses? Default false (SSRF guard).
   */
  allowPrivateTargets?: boolean;
  /** SSLTRACKR_RESOLVE: host -> addresses, consulted before DNS for those servers */
  resolveOverrides?: ReadonlyMap<string, readonly string[]>;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;
/** A bootstrap refresh may delay one check, but not by a whole timeout. */
const BOOTSTRAP_TIMEOUT_CAP_MS = 3000;

type Source = "rdap" | "whois";

const errorOf = (f: LookupFailure | undefined) => (f ? { reason: f.reason, message: f.message } : null);

interface Failure {
  error: LookupFailure;
  source: Source | null;
  server: string | null;
  rdapError?: LookupFailure;
}

function failed(rd: RegistrableDomain | undefined, hostname: string, { error: f, source, server, rdapError }: Failure, now: Date): RegistrationCheckResult {
  return {
    outcome: "failed",
    hostname: rd?.hostname ?? hostname,
    domain: rd?.domain ?? hostname,
    checked_at: now.toISOString(),
    raw: f.raw,
    rdap_error: errorOf(rdapError),
    reason: f.reason,
    message: f.message,
    source,
    server,
    retry_after_seconds: f.retryAfterSeconds,
  };
}

function ok(rd: RegistrableDomain, source: Source, outcome: LookupOutcome, rdapError: LookupFailure | undefined, now: Date): RegistrationCheckResult {
  const { record, sources } = combineAnswers(outcome.answers);
  const expiry = effectiveExpiry(record);
  return {
    outcome: "ok",
    hostname: rd.hostname,
    domain: rd.domain,
    checked_at: now.toISOString(),
    raw: outcome.raw,
    registrar: record.registrar,
    created_date: record.created,
    expiry_date: expiry,
    days_remaining: expiry === null ? null : Math.floor((Date.parse(expiry) - now.getTime()) / 86_400_000),
    dnssec: record.dnssec,
    nameservers: record.nameservers,
    source,
    server: outcome.server,
    statuses: record.statuses,
    registry_expiry_date: record.registryExpiry,
    registrar_expiry_date: record.registrarExpiry,
    rdap_error: errorOf(rdapError),
    field_sources: sources,
    supplementary_errors: outcome.errors,
  };
}

/** The RDAP base URL for the domain, or undefined when its TLD has no RDAP service. */
async function rdapBase(rd: RegistrableDomain, ctx: LookupContext, options: RegistrationCheckOptions): Promise<string | undefined> {
  const cache = ctx.state.bootstrap({
    override: options.rdapBootstrap,
    refreshUrl: options.bootstrapRefreshUrl ?? IANA_RDAP_DNS_URL,
    fetch: ctx.fetch,
    timeoutMs: Math.min(ctx.timeoutMs, BOOTSTRAP_TIMEOUT_CAP_MS),
  });
  try {
    return rdapBaseUrls(await cache.services(), rd.domain)[0];
  } catch (err) {
    throw networkFailure(err, "RDAP bootstrap");
  }
}

/** Lookups report network and protocol trouble as LookupFailure; anything else is a bug. */
function asFailure(err: unknown): LookupFailure {
  if (err instanceof LookupFailure) return err;
  throw err;
}

/**
 * Some registries' RDAP answers carry no expiration event at all (.fi, .no style) while their
 * WHOIS does. Then the WHOIS answers are added after the RDAP ones, so they only fill the
 * fields RDAP left empty; field_sources says which answer gave what. A WHOIS failure here is
 * noted, never the check's failure: RDAP answered.
 */
async function completedFromWhois(rdap: LookupOutcome, rd: RegistrableDomain, ctx: LookupContext, options: WhoisLookupOptions): Promise<LookupOutcome> {
  if (effectiveExpiry(combineAnswers(rdap.answers).record) !== null) return rdap;
  try {
    const whois = await whoisLookup(rd, ctx, options);
    return { ...rdap, answers: [...rdap.answers, ...whois.answers], raw: [...rdap.raw, ...whois.raw], errors: [...rdap.errors, ...whois.errors] };
  } catch (err) {
    const f = asFailure(err);
    return { ...rdap, raw: [...rdap.raw, ...f.raw], errors: [...rdap.errors, { origin: "whois_registry", server: null, reason: f.reason, message: f.message }] };
  }
}

async function runCheck(hostname: string, options: RegistrationCheckOptions): Promise<RegistrationCheckResult> {
  const { now } = options;
  const rd = registrableDomain(hostname);
  if (!rd) {
    const error = new LookupFailure("invalid_hostname", `"${hostname}" has no registrable domain`);
    return failed(undefined, hostname, { error, source: null, server: null }, now);
  }
  const ctx: LookupContext = {
    state: options.state ?? defaultRegistryState,
    fetch: options.fetch ?? fetch,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    guard: { allowPrivate: options.allowPrivateTargets ?? false, ...(options.resolveOverrides ? { resolveOverrides: options.resolveOverrides } : {}) },
  };
  const ianaWhois = options.ianaWhois === undefined ? IANA_WHOIS : options.ianaWhois;
  const whoisOptions = { overrides: options.whoisServers, ianaWhois };
  let rdapError: LookupFailure | undefined;
  let base: string | undefined;
  try {
    base = await rdapBase(rd, ctx, options);
    if (base) return ok(rd, "rdap", await completedFromWhois(await rdapLookup(rd.domain, base, ctx), rd, ctx, whoisOptions), undefined, now);
  } catch (err) {
    rdapError = asFailure(err);
    if (rdapError.reason === "not_found") return failed(rd, hostname, { error: rdapError, source: "rdap", server: base ?? null }, now);
  }
  try {
    return ok(rd, "whois", await whoisLookup(rd, ctx, whoisOptions), rdapError, now);
  } catch (err) {
    const whoisError = asFailure(err);
    // No WHOIS for a TLD that has RDAP: the RDAP failure is the one worth reporting.
    if (whoisError.reason === "unsupported_tld" && rdapError) {
      return failed(rd, hostname, { error: rdapError, source: "rdap", server: base ?? null }, now);
    }
    return failed(rd, hostname, { error: whoisError, source: "whois", server: null, rdapError }, now);
  }
}

/**
 * Looks up the registration of `hostname`'s registrable domain. Never throws for network or
 * registry trouble: that is a result with outcome "failed" and a reason.
 */
export async function checkRegistration(hostname: string, options: RegistrationCheckOptions): Promise<RegistrationCheckResult> {
  // Validated here so that what is stored in events is known to read back.
  return registrationCheckResult.parse(await runCheck(hostname, options));
}
