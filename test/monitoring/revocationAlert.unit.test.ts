// The ssl_revoked rule (src/monitoring/revocationAlert.ts) through the domain stream's decider:
// given a monitored domain, when checks find a revoked certificate, then one alert per
// certificate, and no ssl_invalid for the same fact. Pure.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import type { ChainError, EndpointOk, SslCheckOk } from "../../src/checkers/ssl/result.js";
import { domainStreamDecider, type DomainStreamEvent } from "../../src/domains/domainStream.js";
import type { NewAlert } from "../../src/monitoring/alertPolicy.js";
import { DEFAULT_ALERT_SETTINGS } from "../../src/monitoring/alertSettings.js";
import { DAY_MS } from "../../src/shared/clock.js";
import { sslCheckOk } from "../support/checkFixtures.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(domainStreamDecider);
const DOMAIN_ID = "550e8400-e29b-41d4-a716-446655440000";
const USER_ID = "5a3c1f7e-2d44-4b7a-8f11-0c9e8d7b6a01";
const HOST = "example.com";
const T0 = new Date("2026-02-23T12:00:00.000Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY_MS);

const added: DomainStreamEvent = {
  type: "DomainAdded",
  data: { domainId: DOMAIN_ID, userId: USER_ID, hostname: HOST, requestedHostname: HOST, port: 443, notes: null, tags: [], addedAt: T0.toISOString() },
};

const revokedError: ChainError = { reason: "revoked", message: "the CRL says the certificate was revoked on 2026-02-20T00:00:00.000Z (keyCompromise)", depth: 0, code: null };
const untrusted: ChainError = { reason: "unknown_issuer", message: "the chain ends at \"CN=Test CA\", which is not a trusted root", depth: 0, code: null };

/** What one address serves: the fixture's certificate with another fingerprint, revoked or not. */
function endpoint(fingerprint: string, revoked: boolean, extraErrors: ChainError[] = []): EndpointOk {
  const { hostname: _h, port: _p, checked_at: _c, endpoints: _e, ...base } = sslCheckOk({ hostname: HOST, now: T0 });
  const errors = [...(revoked ? [revokedError] : []), ...extraErrors];
  return {
    ...base,
    fingerprint_sha256: fingerprint,
    serial_number: `0${fingerprint.slice(0, 1)}`,
    chain_valid: errors.length === 0,
    chain_errors: errors,
    grade: revoked ? "F" : base.grade,
    revocation: revoked ? "revoked" : "good",
    revocation_source: revoked ? "crl" : "ocsp",
    revocation_reason: revoked ? "keyCompromise" : null,
    revoked_at: revoked ? "2026-02-20T00:00:00.000Z" : null,
  };
}

function check(now: Date, ...endpoints: EndpointOk[]): SslCheckOk {
  const top = endpoints.find((e) => e.revocation === "revoked") ?? endpoints[0]!;
  return { ...top, hostname: HOST, port: 443, checked_at: now.toISOString(), endpoints };
}

function monitoredDomain() {
  const history: DomainStreamEvent[] = [added];
  return (result: SslCheckOk): NewAlert[] => {
    const decided = given(history).when({ type: "RecordSslCheck", result, checkId: randomUUID(), trigger: "scheduled", settings: DEFAULT_ALERT_SETTINGS, now: new Date(result.checked_at) });
    history.push(...decided);
    return decided.flatMap((e) => (e.type === "AlertRaised" ? [e.data] : []));
  };
}

const types = (alerts: NewAlert[]) => alerts.map((a) => a.alertType);

describe("ssl_revoked alert (unit, through the domain stream decider)", () => {
  it("alerts once (critical) with the reason, date and source, and not again for the same certificate", () => {
    const record = monitoredDomain();
    const first = record(check(T0, endpoint("aa:01", true)));
    expect(first).to.have.length(1);
    expect(first[0]).to.deep.include({
      alertType: "ssl_revoked",
      severity: "critical",
      title: "SSL certificate has been revoked",
      thresholdDays: null,
      dedupeKey: "ssl_revoked:aa:01",
    });
    expect(first[0]!.message).to.equal(
      "The SSL certificate for example.com (serial 0a, issued by CN=Test CA) was revoked on 2026-02-20 (reason: keyCompromise), according to the CA's revocation list (CRL). Browsers that check revocation refuse it: replace it.",
    );
    expect(record(check(at(1), endpoint("aa:01", true)))).to.deep.equal([]);
    // Between two checks that find it revoked, a check that could not tell changes nothing.
    expect(record(check(at(2), { ...endpoint("aa:01", false), revocation: "unknown", revocation_source: null, revocation_reason: "CRL: HTTP 500" }))).to.deep.equal([]);
    expect(record(check(at(3), endpoint("aa:01", true)))).to.deep.equal([]);
  });

  it("says nothing about a good certificate, and alerts again for a new certificate that is revoked too", () => {
    const record = monitoredDomain();
    expect(record(check(T0, endpoint("aa:01", false)))).to.deep.equal([]);
    expect(types(record(check(at(1), endpoint("aa:01", true))))).to.deep.equal(["ssl_revoked"]);
    // A routine renewal (same names, issuer and key type) alerts only for being revoked (issue #14).
    expect(types(record(check(at(2), endpoint("bb:02", true))))).to.deep.equal(["ssl_revoked"]);
  });

  it("one alert per revoked certificate when addresses serve different ones; the same certificate on two addresses alerts once", () => {
    expect(types(monitoredDomain()(check(T0, endpoint("aa:01", true), endpoint("aa:01", true))))).to.deep.equal(["ssl_revoked"]);
    const two = monitoredDomain()(check(T0, endpoint("aa:01", true), endpoint("bb:02", true), endpoint("cc:03", false)));
    expect(two.map((a) => a.dedupeKey)).to.deep.equal(["ssl_revoked:aa:01", "ssl_revoked:bb:02"]);
  });

  it("leaves a chain invalid only because it was revoked to ssl_revoked, but still reports other reasons as ssl_invalid", () => {
    expect(types(monitoredDomain()(check(T0, endpoint("aa:01", true))))).to.deep.equal(["ssl_revoked"]);
    expect(types(monitoredDomain()(check(T0, endpoint("aa:01", true, [untrusted]))))).to.deep.equal(["ssl_revoked", "ssl_invalid"]);
    // OpenSSL's own CERT_REVOKED without a believed revocation answer is an invalid chain like any other.
    const opensslOnly = { ...endpoint("aa:01", false), chain_valid: false, chain_errors: [{ ...revokedError, code: "CERT_REVOKED" }] };
    expect(types(monitoredDomain()(check(T0, opensslOnly)))).to.deep.equal(["ssl_invalid"]);
  });
});
