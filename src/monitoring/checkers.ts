// The two checkers as the monitoring loop sees them: target in, result out, configured once
// from the environment. Tests point them at local servers through the same settings.
import type { Config } from "../config.js";
import { checkSsl } from "../checkers/ssl/index.js";
import type { SslCheckResult } from "../checkers/ssl/result.js";
import { checkRegistration, type RegistrationCheckResult } from "../checkers/registration/index.js";
import type { Clock } from "../shared/clock.js";

export interface Checkers {
  ssl(target: { hostname: string; port: number }): Promise<SslCheckResult>;
  registration(hostname: string): Promise<RegistrationCheckResult>;
}

export function checkersFromConfig(config: Config, clock: Clock): Checkers {
  return {
    ssl: (target) =>
      checkSsl(target, {
        allowPrivateTargets: config.SSLTRACKR_ALLOW_PRIVATE_TARGETS,
        ...(config.SSLTRACKR_RESOLVE ? { resolveOverrides: config.SSLTRACKR_RESOLVE } : {}),
        timeoutMs: config.SSLTRACKR_CHECK_TIMEOUT_MS,
        now: clock.now(),
      }),
    registration: (hostname) =>
      checkRegistration(hostname, {
        now: clock.now(),
        timeoutMs: config.SSLTRACKR_CHECK_TIMEOUT_MS,
        ...(config.SSLTRACKR_RDAP_BOOTSTRAP ? { rdapBootstrap: config.SSLTRACKR_RDAP_BOOTSTRAP } : {}),
        ...(config.SSLTRACKR_WHOIS_SERVERS ? { whoisServers: config.SSLTRACKR_WHOIS_SERVERS } : {}),
      }),
  };
}
