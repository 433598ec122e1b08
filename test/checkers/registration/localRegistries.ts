// Shared set-up of the registration integration tests: local RDAP and WHOIS servers that are
// closed after each test, and check options that reach only them.
import { expect } from "chai";
import { RegistryState, type RegistrationCheckOptions, type RegistrationCheckResult } from "../../../src/checkers/registration/index.js";
import { startRdapServer, startWhoisServer, writeBootstrapFile, type RunningServer, type WhoisReply } from "../../support/registryServers.js";

const servers: RunningServer[] = [];

export async function whois(handler: (query: string) => WhoisReply): Promise<RunningServer> {
  const s = await startWhoisServer(handler);
  servers.push(s);
  return s;
}

export async function rdap(handler: Parameters<typeof startRdapServer>[0]) {
  const s = await startRdapServer(handler);
  servers.push(s);
  return s;
}

/** For mocha afterEach: closes every server the test started. */
export const closeServers = () => Promise.all(servers.splice(0).map((s) => s.close()));

/**
 * Options with fresh state, no IANA fallback, and only local servers. Registrar servers on
 * loopback are allowed (they are where the tests run); the SSRF tests turn that off.
 */
export function checkOptions(now: Date, extra: Partial<RegistrationCheckOptions> = {}): RegistrationCheckOptions {
  return {
    now,
    timeoutMs: 2000,
    ianaWhois: null,
    rdapBootstrap: writeBootstrapFile([], "http://127.0.0.1:1/"),
    state: new RegistryState({ minIntervalMs: 0 }),
    allowPrivateTargets: true,
    ...extra,
  };
}

export const whoisFor = (tld: string, s: RunningServer) => new Map([[tld, { host: "127.0.0.1", port: s.port }]]);

export function expectOk(r: RegistrationCheckResult): asserts r is Extract<RegistrationCheckResult, { outcome: "ok" }> {
  expect(r.outcome, r.outcome === "failed" ? `${r.reason}: ${r.message}` : "").to.equal("ok");
}
