// Entry point: resolve the target (SSRF guard included), check each address, and report the
// worst one at the top level. No environment, database or HTTP server here: callers pass options.
import net from "node:net";
import { normalizeHostname, resolveTarget, TargetError, type LookupFn } from "../../infrastructure/network/targets.js";
import { checkEndpoint, checkEndpointLight, type EndpointContext, type GradedFacts } from "./endpoint.js";
import type { ConnectionGate, ProbeTarget } from "./connection.js";
import { checkTrust } from "./trust.js";
import type { RevocationSettings } from "./revocation/checkRevocation.js";
import { GRADES, type EndpointFailed, type EndpointOk, type EndpointResult, type SslCheckOk, type SslCheckResult } from "./result.js";

export interface SslCheckTarget {
  hostname: string;
  /** Default 443. */
  port?: number;
}

export interface SslCheckOptions {
  /** Allow targets that resolve to loopback, private, link-local or reserved addresses. */
  allowPrivateTargets: boolean;
  /** host -> addresses, used instead of DNS (like curl --resolve). */
  resolveOverrides?: ReadonlyMap<string, readonly string[]>;
  /** Applies to each stage separately: DNS, TCP connect, TLS handshake, HTTP response. */
  timeoutMs: number;
  /** The time of the check (days_remaining, checked_at). Default: now. */
  now?: Date;
  /** At most this many of the resolved addresses are checked. Default 4. */
  maxAddresses?: number;
  /**
   * Extra trusted roots (PEM texts, each may hold several). Trust is Node's bundled roots
   * (tls.rootCertificates) plus these, for both OpenSSL's verification and path building;
   * NODE_EXTRA_CA_CERTS is not read here (the config module passes its file as extraCa).
   * Pass the same array to every call: its parsed trust store is cached.
   */
  extraCa?: string[];
  /** Name resolution; default the system resolver. */
  lookup?: LookupFn;
  /**
   * The target's last full probe: run an expiry check instead (one handshake per address),
   * carrying that probe's grade over. Falls back to a full probe when the address set or a
   * served certificate differs from it (the grade would be stale). Unset: a full probe.
   */
  lightFrom?: SslCheckOk;
  /** Politeness limits per address, shared by every process; none when unset. */
  gate?: ConnectionGate;
  /**
   * CRL and OCSP look-ups, on full probes and expiry checks alike (their cache decides what is
   * fetched). Unset: revocation is read from a stapled OCSP response only.
   */
  revocation?: RevocationSettings;
}

const DEFAULT_PORT = 443;
const DEFAULT_MAX_ADDRESSES = 4;

const gradeRank = (e: EndpointOk) => GRADES.indexOf(e.grade);

/** Worst grade first; between equal grades, the certificate that expires first. */
function worstEndpoint(endpoints: EndpointOk[]): EndpointOk {
  return endpoints.reduce((worst, e) => {
    if (gradeRank(e) !== gradeRank(worst)) return gradeRank(e) > gradeRank(worst) ? e : worst;
    return e.days_remaining < worst.days_remaining ? e : worst;
  });
}

function summarize(base: { hostname: string; port: number; checked_at: string }, endpoints: EndpointResult[]): SslCheckResult {
  const ok = endpoints.filter((e): e is EndpointOk => e.outcome === "ok");
  const failed = endpoints.filter((e): e is EndpointFailed => e.outcome === "failed");
  if (ok.length === 0) {
    const first = failed[0]!;
    const message = failed.length === 1 ? first.message : failed.map((e) => `${e.ip_address}: ${e.message}`).join("; ");
    return { outcome: "failed", ...base, reason: first.reason, message, endpoints: failed };
  }
  const earliest = ok.map((e) => e.earliest_expiry).reduce((a, b) => (b.days_remaining < a.days_remaining ? b : a));
  return { ...worstEndpoint(ok), ...base, earliest_expiry: earliest, endpoints };
}

const gradedFacts = (e: EndpointOk): GradedFacts => ({
  grade: e.grade,
  grade_trust_ignored: e.grade_trust_ignored,
  grade_reasons: e.grade_reasons,
  score: e.score,
  protocols: e.protocols,
  cipher_suites: e.cipher_suites,
  key_exchange: e.key_exchange,
  secure_renegotiation: e.secure_renegotiation,
});

/**
 * An expiry check of every address, or null when a full probe is needed instead: the
 * addresses are not those `last` probed, or an address serves another certificate.
 */
async function expiryCheck(targets: ProbeTarget[], ctx: EndpointContext, last: SslCheckOk): Promise<EndpointResult[] | null> {
  const probed = new Map(last.endpoints.flatMap((e) => (e.outcome === "ok" ? [[e.ip_address, e] as const] : [])));
  const sameAddresses = targets.length === last.endpoints.length && targets.every((t) => probed.has(t.ip));
  if (!sameAddresses) return null;
  const endpoints = await Promise.all(targets.map((t) => checkEndpointLight(t, ctx, gradedFacts(probed.get(t.ip)!))));
  const changed = endpoints.some((e) => e.outcome === "ok" && e.fingerprint_sha256 !== probed.get(e.ip_address)!.fingerprint_sha256);
  return changed ? null : endpoints;
}

/** Never rejects for network reasons: a check that cannot run is an `outcome: "failed"` result. */
export async function checkSsl(target: SslCheckTarget, options: SslCheckOptions): Promise<SslCheckResult> {
  const port = target.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`invalid port ${port}`);
  const base = { hostname: target.hostname, port, checked_at: (options.now ?? new Date()).toISOString() };
  const now = new Date(base.checked_at);
  let addresses: string[];
  try {
    base.hostname = normalizeHostname(target.hostname);
    addresses = await resolveTarget(base.hostname, {
      allowPrivate: options.allowPrivateTargets,
      resolveOverrides: options.resolveOverrides,
      lookup: options.lookup,
      timeoutMs: options.timeoutMs,
    });
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return { outcome: "failed", ...base, reason: err.reason, message: err.message, endpoints: [] };
  }
  const { ca, store } = checkTrust(options.extraCa);
  // SNI carries names only (RFC 6066); an IP-literal target is checked without it.
  const servername = net.isIP(base.hostname) ? undefined : base.hostname;
  const selected = addresses.slice(0, options.maxAddresses ?? DEFAULT_MAX_ADDRESSES);
  const targets = selected.map((ip) => ({ ip, port, servername, timeoutMs: options.timeoutMs, ca, gate: options.gate }));
  const ctx = { hostname: base.hostname, now, trust: store, revocation: options.revocation };
  const light = options.lightFrom ? await expiryCheck(targets, ctx, options.lightFrom) : null;
  if (light) {
    const result = summarize(base, light);
    const gradedAt = options.lightFrom!.graded_at ?? options.lightFrom!.checked_at;
    return result.outcome === "ok" ? { ...result, probe: "light", graded_at: gradedAt } : { ...result, probe: "light" };
  }
  const result = summarize(base, await Promise.all(targets.map((t) => checkEndpoint(t, ctx))));
  return result.outcome === "ok" ? { ...result, probe: "full", graded_at: result.checked_at } : { ...result, probe: "full" };
}
