// A domain moved to another hostname or port is a new target (issue #10, 4), given/when/then
// through the domain stream's decider: what was learnt about the old target no longer decides
// alerts, and results of the old target that arrive late are discarded. Pure: no I/O.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { RegistrationCheckResult } from "../../src/checkers/registration/result.js";
import type { SslCheckResult } from "../../src/checkers/ssl/result.js";
import { domainStreamDecider, type DomainStreamCommand, type DomainStreamEvent } from "../../src/domains/domainStream.js";
import { DEFAULT_ALERT_SETTINGS } from "../../src/monitoring/alertSettings.js";
import { factsClearedByMove } from "../../projections/checkTarget.js";
import { DAY_MS } from "../../src/shared/clock.js";
import { registrationCheckFailed, registrationCheckOk, sslCheckFailed, sslCheckOk } from "../support/checkFixtures.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(domainStreamDecider);

const DOMAIN_ID = "6a1e0c9d-2b3f-4e5a-8c7d-000000000001";
const USER_ID = "6a1e0c9d-2b3f-4e5a-8c7d-0000000000aa";
const T0 = new Date("2026-04-01T12:00:00.000Z");
const plusDays = (n: number) => new Date(T0.getTime() + n * DAY_MS);

const added: DomainStreamEvent = {
  type: "DomainAdded",
  data: { domainId: DOMAIN_ID, userId: USER_ID, hostname: "www.example.com", requestedHostname: "www.example.com", port: 443, notes: null, tags: [], addedAt: T0.toISOString() },
};
const moved = (changes: { hostname?: string; port?: number }, at = T0): DomainStreamEvent => ({
  type: "DomainUpdated",
  data: { domainId: DOMAIN_ID, changes, updatedAt: at.toISOString() },
});

/** A certificate 10 days from expiry (one ssl_expiry alert, 14) served by `hostname:port`. */
const expiringCert = (hostname: string, port = 443, now = T0) =>
  sslCheckOk({ hostname, port, now }, { valid_to: plusDays(10).toISOString(), earliest_expiry: { depth: 0, subject: "CN=shared", valid_to: plusDays(10).toISOString(), days_remaining: 10, ip_address: "192.0.2.1" } });
/** The registration of example.com, 10 days from expiry, as seen from `hostname`. */
const expiringRegistration = (hostname: string, domain = "example.com", now = T0) =>
  registrationCheckOk({ hostname, now }, { domain, expiry_date: plusDays(10).toISOString(), registry_expiry_date: plusDays(10).toISOString() });

function stream() {
  const history: DomainStreamEvent[] = [added];
  const record = (command: DomainStreamCommand) => {
    const decided = given(history).when(command);
    history.push(...decided);
    return decided;
  };
  const base = (now: Date) => ({ checkId: randomUUID(), trigger: "scheduled" as const, settings: DEFAULT_ALERT_SETTINGS, now });
  const alertsOf = (events: DomainStreamEvent[]) => events.flatMap((e) => (e.type === "AlertRaised" ? [`${e.data.alertType}:${e.data.thresholdDays} ${e.data.hostname}`] : []));
  return {
    history,
    move: (changes: { hostname?: string; port?: number }) => history.push(moved(changes)),
    ssl: (result: SslCheckResult) => record({ type: "RecordSslCheck", result, ...base(new Date(result.checked_at)) }),
    whois: (result: RegistrationCheckResult) => record({ type: "RecordWhoisCheck", result, ...base(new Date(result.checked_at)) }),
    alertsOf,
  };
}

describe("A domain moved to another hostname or port (unit, issue #10 §4)", () => {
  it("given alerts raised for a certificate, when the domain moves to another hostname serving the same certificate, then its thresholds alert again, for the new hostname", () => {
    const d = stream();
    expect(d.alertsOf(d.ssl(expiringCert("www.example.com")))).to.deep.equal(["ssl_expiry:14 www.example.com"]);
    expect(d.alertsOf(d.ssl(expiringCert("www.example.com")))).to.deep.equal([]);
    d.move({ hostname: "shop.example.com" });
    expect(d.alertsOf(d.ssl(expiringCert("shop.example.com")))).to.deep.equal(["ssl_expiry:14 shop.example.com"]);
  });

  it("given a move to another port only, then SSL alerts re-arm too (another port is another TLS endpoint)", () => {
    const d = stream();
    d.ssl(expiringCert("www.example.com"));
    d.move({ port: 8443 });
    expect(d.alertsOf(d.ssl(expiringCert("www.example.com", 8443)))).to.deep.equal(["ssl_expiry:14 www.example.com"]);
  });

  it("given a known certificate, when the new target serves another one, then no 'certificate changed' alert: it is the first certificate of this target", () => {
    const d = stream();
    d.ssl(sslCheckOk({ hostname: "www.example.com", now: T0 }, { fingerprint_sha256: "aa:01" }));
    d.move({ hostname: "api.example.com" });
    const other = sslCheckOk({ hostname: "api.example.com", now: T0 }, { fingerprint_sha256: "bb:02" });
    const events = d.ssl({ ...other, endpoints: other.endpoints.map((e) => (e.outcome === "ok" ? { ...e, fingerprint_sha256: "bb:02" } : e)) });
    expect(d.alertsOf(events)).to.deep.equal([]);
  });

  it("given a certificate result of the old target arriving after the move (a check that was running), then it is discarded: no event, no alert", () => {
    const d = stream();
    d.move({ hostname: "api.example.com" });
    expect(d.ssl(expiringCert("www.example.com"))).to.deep.equal([]);
    expect(d.whois(expiringRegistration("www.example.com"))).to.deep.equal([]);
    d.move({ port: 8443 });
    expect(d.ssl(expiringCert("api.example.com", 443))).to.deep.equal([]);
    // The registration does not depend on the port: a result for the hostname still counts.
    expect(d.whois(expiringRegistration("api.example.com")).map((e) => e.type)).to.deep.equal(["WhoisChecked", "AlertRaised"]);
  });

  it("given SSL failures counted on the old target, when the domain moves, then the count restarts", () => {
    const d = stream();
    d.ssl(sslCheckFailed({ hostname: "www.example.com", now: T0 }));
    d.ssl(sslCheckFailed({ hostname: "www.example.com", now: T0 }));
    d.move({ hostname: "api.example.com" });
    expect(d.alertsOf(d.ssl(sslCheckFailed({ hostname: "api.example.com", now: T0 })))).to.deep.equal([]);
    expect(d.alertsOf(d.ssl(sslCheckFailed({ hostname: "api.example.com", now: T0 })))).to.deep.equal([]);
    expect(d.alertsOf(d.ssl(sslCheckFailed({ hostname: "api.example.com", now: T0 })))).to.deep.equal(["check_failed:null api.example.com"]);
  });

  it("given registration failures, then a new hostname restarts their count and a new port keeps it", () => {
    const failing = (hostname: string) => registrationCheckFailed({ hostname, now: T0 });
    const portMove = stream();
    portMove.whois(failing("www.example.com"));
    portMove.whois(failing("www.example.com"));
    portMove.move({ port: 8443 });
    expect(portMove.alertsOf(portMove.whois(failing("www.example.com")))).to.deep.equal(["check_failed:null www.example.com"]);

    const hostMove = stream();
    hostMove.whois(failing("www.example.com"));
    hostMove.whois(failing("www.example.com"));
    hostMove.move({ hostname: "www.example.org" });
    expect(hostMove.alertsOf(hostMove.whois(failing("www.example.org")))).to.deep.equal([]);
  });

  it("given a registration expiry alerted, when the domain moves to another hostname of the same registered domain, then the same registration does not alert twice", () => {
    const d = stream();
    expect(d.alertsOf(d.whois(expiringRegistration("www.example.com")))).to.deep.equal(["domain_expiry:14 www.example.com"]);
    d.move({ hostname: "api.example.com" });
    expect(d.alertsOf(d.whois(expiringRegistration("api.example.com")))).to.deep.equal([]);
  });

  it("given a registration expiry alerted, when the domain moves to another registered domain, then that registration's thresholds alert", () => {
    const d = stream();
    d.whois(expiringRegistration("www.example.com"));
    d.move({ hostname: "www.example.org" });
    expect(d.alertsOf(d.whois(expiringRegistration("www.example.org", "example.org")))).to.deep.equal(["domain_expiry:14 www.example.org"]);
  });

  it("given a registration found, when the domain moves to another hostname of the same registered domain and the registry then answers not_found, then the lapse alerts", () => {
    const d = stream();
    d.whois(registrationCheckOk({ hostname: "www.example.com", now: T0 }, { domain: "example.com" }));
    d.move({ hostname: "api.example.com" });
    const notFound = { ...registrationCheckFailed({ hostname: "api.example.com", now: plusDays(1) }), domain: "example.com", reason: "not_found" as const };
    expect(d.alertsOf(d.whois(notFound))).to.deep.equal(["domain_expiry:0 api.example.com"]);
  });

  it("given changes that keep the target (notes, tags, pausing), then nothing re-arms", () => {
    const d = stream();
    d.ssl(expiringCert("www.example.com"));
    d.history.push({ type: "DomainUpdated", data: { domainId: DOMAIN_ID, changes: { notes: "renamed soon", tags: ["x"], isActive: false }, updatedAt: T0.toISOString() } });
    expect(d.alertsOf(d.ssl(expiringCert("www.example.com")))).to.deep.equal([]);
  });

  describe("read models: the facts a move clears (projections/checkTarget.ts)", () => {
    it("clears SSL and registration facts on a new hostname, SSL facts only on a new port, nothing otherwise", () => {
      const ssl = ["ssl_grade", "ssl_valid_to", "ssl_earliest_expiry", "ssl_chain_valid", "ssl_check_failed", "ssl_checked_at"];
      const whois = ["whois_expiry", "whois_check_failed", "whois_lapsed", "whois_checked_at"];
      expect(Object.keys(factsClearedByMove({ hostname: "a.example.com" }))).to.have.members([...ssl, ...whois]);
      expect(Object.keys(factsClearedByMove({ port: 8443 }))).to.have.members(ssl);
      expect(factsClearedByMove({})).to.deep.equal({});
      expect(Object.values(factsClearedByMove({ hostname: "a.example.com", port: 1 }))).to.satisfy((v: unknown[]) => v.every((x) => x === null));
    });
  });
});
