// The two checkers as the monitoring loop and the CLI see them: target in, result out,
// configured once from the config module. Tests point them at local servers through the same settings.
import { readExtraCa, type Config } from "../config.js";
import { checkSsl, RevocationCache } from "../checkers/ssl/index.js";
import type { SslCheckOk, SslCheckResult } from "../checkers/ssl/result.js";
import { checkRegistration, type RegistrationCheckResult } from "../checkers/registration/index.js";
import type { Clock } from "../shared/clock.js";
import type { ConnectionGate } from "../checkers/ssl/connection.js";
import { lookUpRenewalInfo, type RenewalInfo } from "../checkers/ari/index.js";

export interface Checkers {
  /** A full probe; with `lightFrom` (the last full probe) an expiry check unless something changed. */
  ssl(target: { hostname: string; port: number }, lightFrom?: SslCheckOk): Promise<SslCheckResult>;
  registration(hostname: string): Promise<RegistrationCheckResult>;
  /**
   * The CA's renewal window for a successful check's leaf (ACME ARI), unless there is nothing
   * to ask or `cachedUntil` (the stream's Retry-After per certificate id) says not yet.
   */
  renewalInfo?(result: SslCheckOk, cachedUntil: (certificateId: string) => Date | null): Promise<RenewalInfo | undefined>;
}

/** `gate`: politeness limits per target address, shared by every process (none for one-shot CLI checks). */
export function checkersFromConfig(config: Config, clock: Clock, gate?: ConnectionGate): Checkers {
  // Read once at start-up: a missing file fails the start, not every check.
  const extraCa = readExtraCa(config);
  // CRLs and OCSP answers, kept until their nextUpdate for every check of this process.
  const revocation = {
    ocspQueries: config.SSLTRACKR_OCSP_QUERIES,
    maxCrlBytes: config.SSLTRACKR_CRL_MAX_BYTES,
    cache: new RevocationCache(),
    // A CRL or OCSP URL is the checked server's choice: the checks' own SSRF guard and politeness.
    fetch: {
      allowPrivateTargets: config.SSLTRACKR_ALLOW_PRIVATE_TARGETS,
      resolveOverrides: config.SSLTRACKR_RESOLVE,
      timeoutMs: config.SSLTRACKR_CHECK_TIMEOUT_MS,
      gate,
    },
  };
  return {
    ssl: (target, lightFrom) =>
      checkSsl(target, {
        ...(lightFrom ? { lightFrom } : {}),
        ...(gate ? { gate } : {}),
        allowPrivateTargets: config.SSLTRACKR_ALLOW_PRIVATE_TARGETS,
        ...(config.SSLTRACKR_RESOLVE ? { resolveOverrides: config.SSLTRACKR_RESOLVE } : {}),
        ...(extraCa ? { extraCa } : {}),
        timeoutMs: config.SSLTRACKR_CHECK_TIMEOUT_MS,
        now: clock.now(),
        revocation,
      }),
    registration: (hostname) =>
      checkRegistration(hostname, {
        now: clock.now(),
        timeoutMs: config.SSLTRACKR_CHECK_TIMEOUT_MS,
        ...(config.SSLTRACKR_RDAP_BOOTSTRAP ? { rdapBootstrap: config.SSLTRACKR_RDAP_BOOTSTRAP } : {}),
        ...(config.SSLTRACKR_WHOIS_SERVERS ? { whoisServers: config.SSLTRACKR_WHOIS_SERVERS } : {}),
        // A registrar link or referral is a third party's choice: the SSL checks' SSRF guard.
        allowPrivateTargets: config.SSLTRACKR_ALLOW_PRIVATE_TARGETS,
        ...(config.SSLTRACKR_RESOLVE ? { resolveOverrides: config.SSLTRACKR_RESOLVE } : {}),
      }),
    // The CA's ARI server is reached like a checked server: SSRF guard, politeness gate.
    renewalInfo: (result, cachedUntil) =>
      lookUpRenewalInfo(result, cachedUntil, {
        directories: config.SSLTRACKR_ACME_DIRECTORIES ?? {},
        allowPrivateTargets: config.SSLTRACKR_ALLOW_PRIVATE_TARGETS,
        ...(config.SSLTRACKR_RESOLVE ? { resolveOverrides: config.SSLTRACKR_RESOLVE } : {}),
        ...(gate ? { gate } : {}),
        timeoutMs: config.SSLTRACKR_CHECK_TIMEOUT_MS,
        now: clock.now(),
      }),
  };
}
