// The alert policy, given/when/then through the domain stream's decider: given the events
// of a monitored domain, when a check result is recorded, then the result and the alerts it
// raises. Pure: no database, no network, no clock of its own. Every decided event is sent
// through the stream's codec, so the fixtures and the alerts satisfy the stored schemas.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { GRADES, type ChainError, type EndpointOk, type Grade, type KeyFacts, type SslCheckOk, type SslCheckResult } from "../../src/checkers/ssl/result.js";
import type { RegistrationCheckOk, RegistrationCheckResult } from "../../src/checkers/registration/result.js";
import { domainStreamCodec, domainStreamDecider, type DomainStreamCommand, type DomainStreamEvent } from "../../src/domains/domainStream.js";
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from "../../src/monitoring/alertSettings.js";
import type { NewAlert } from "../../src/monitoring/alertPolicy.js";
import type { RenewalInfo } from "../../src/checkers/ari/result.js";
import { DAY_MS, daysUntil } from "../../src/shared/clock.js";
import { NotFoundError } from "../../src/shared/errors.js";
import { registrationCheckFailed, registrationCheckOk, sslCheckFailed, sslCheckOk } from "../support/checkFixtures.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(domainStreamDecider);

const DOMAIN_ID = "550e8400-e29b-41d4-a716-446655440000";
const USER_ID = "5a3c1f7e-2d44-4b7a-8f11-0c9e8d7b6a01";
const HOST = "example.com";
const T0 = new Date("2026-02-23T12:00:00.000Z");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const HOUR_MS = 3_600_000;
const plusDays = (from: Date, n: number) => new Date(from.getTime() + n * DAY_MS);

const added: DomainStreamEvent = {
  type: "DomainAdded",
  data: { domainId: DOMAIN_ID, userId: USER_ID, hostname: HOST, requestedHostname: HOST, port: 443, notes: null, tags: [], addedAt: T0.toISOString() },
};

// --- Check results (built on test/support/checkFixtures.ts, kept consistent field by field) ---

interface Cert {
  readonly validTo: Date;
  /** notBefore; default 90 days before validTo (a 90-day certificate: fixed thresholds apply). */
  readonly validFrom?: Date;
  readonly fingerprint: string;
  readonly grade?: Grade;
  readonly chainErrors?: ChainError[];
  /** Default "CN=Test CA" (no O: the whole name is compared). */
  readonly issuer?: string;
  /** Default [HOST]. */
  readonly sans?: string[];
  /** Default EC P-256. */
  readonly key?: KeyFacts;
}

const expiredError = (validTo: Date): ChainError => ({
  reason: "expired",
  message: `CN=${HOST} expired on ${validTo.toISOString()}`,
  depth: 0,
  code: "CERT_HAS_EXPIRED",
});
const untrusted: ChainError = { reason: "unknown_issuer", message: 'the chain ends at "CN=Test CA", which is not a trusted root', depth: 0, code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" };

/** What one address serves at `now`. */
function endpoint(now: Date, cert: Cert, ip: string): EndpointOk {
  const { hostname: _h, port: _p, checked_at: _c, endpoints: _e, ...base } = sslCheckOk({ hostname: HOST, now });
  const valid_to = cert.validTo.toISOString();
  const days_remaining = daysUntil(cert.validTo, now);
  const serial_number = cert.fingerprint.slice(0, 5);
  const errors = cert.chainErrors ?? [];
  // As the checker grades: an untrusted chain is T, a name mismatch M; the configuration's
  // own grade stays in grade_trust_ignored.
  const configured = cert.grade ?? "A";
  const grade = errors.some((e) => e.reason === "hostname_mismatch") ? "M" : errors.length > 0 ? "T" : configured;
  const valid_from = (cert.validFrom ?? new Date(cert.validTo.getTime() - 90 * DAY_MS)).toISOString();
  const issuer = cert.issuer ?? base.issuer;
  const leaf = { ...base.chain[0]!, issuer, valid_from, valid_to, days_remaining, serial_number, fingerprint_sha256: cert.fingerprint };
  return {
    ...base,
    issuer,
    sans: cert.sans ?? base.sans,
    key: cert.key ?? base.key,
    ip_address: ip,
    valid_from,
    valid_to,
    days_remaining,
    serial_number,
    fingerprint_sha256: cert.fingerprint,
    grade,
    grade_trust_ignored: configured,
    grade_reasons: [
      ...(configured === "A" ? [] : [{ code: "weak_cipher", cap: configured, message: `a cipher caps the grade at ${configured}` }]),
      ...(grade === "T" ? [{ code: "untrusted", cap: grade, message: "certificate not trusted" }] : []),
    ],
    chain_valid: errors.length === 0,
    chain_errors: errors,
    chain: [leaf],
    earliest_expiry: { depth: 0, subject: leaf.subject, valid_to, days_remaining, ip_address: ip },
  };
}

const rank = (g: Grade) => GRADES.indexOf(g);

/** A successful SSL check at `now`; several certificates = several addresses (a load balancer). */
function sslAt(now: Date, ...certs: Cert[]): SslCheckOk {
  const endpoints = certs.map((c, i) => endpoint(now, c, `192.0.2.${i + 1}`));
  // As the checker summarises: the worst grade at the top, the earliest expiry across all.
  const top = endpoints.reduce((w, e) => (rank(e.grade) > rank(w.grade) ? e : w));
  const earliest = endpoints.map((e) => e.earliest_expiry).reduce((a, b) => (b.days_remaining < a.days_remaining ? b : a));
  return { ...top, hostname: HOST, port: 443, checked_at: now.toISOString(), earliest_expiry: earliest, endpoints };
}

const sslFailedAt = (now: Date) => sslCheckFailed({ hostname: HOST, now });

function whoisAt(now: Date, expiry: Date | null): RegistrationCheckOk {
  const expiry_date = expiry?.toISOString() ?? null;
  return registrationCheckOk(
    { hostname: HOST, now },
    { expiry_date, registry_expiry_date: expiry_date, days_remaining: expiry ? daysUntil(expiry, now) : null },
  );
}

const whoisFailedAt = (now: Date) => registrationCheckFailed({ hostname: HOST, now });
const whoisNotFoundAt = (now: Date, domain = HOST): RegistrationCheckResult => ({
  ...registrationCheckFailed({ hostname: domain, now }),
  reason: "not_found",
  message: `RDAP https://rdap.test/domain/${domain}: 404 (no such domain)`,
});
const whoisThrottledAt = (now: Date): RegistrationCheckResult => ({
  ...registrationCheckFailed({ hostname: HOST, now }),
  reason: "rate_limited",
  message: "the registry asks us to slow down",
  retry_after_seconds: 60,
});

// --- A domain's stream: given its history, when a check is recorded, then events ---

const roundTrip = (e: DomainStreamEvent) =>
  domainStreamCodec.decode(JSON.parse(JSON.stringify(domainStreamCodec.encode(e, randomUUID(), {}))) as Parameters<typeof domainStreamCodec.decode>[0]);

function monitoredDomain(settings: AlertSettings = DEFAULT_ALERT_SETTINGS) {
  const history: DomainStreamEvent[] = [added];
  const record = (command: DomainStreamCommand): DomainStreamEvent[] => {
    const decided = given(history).when(command);
    for (const e of decided) expect(roundTrip(e), `${e.type} survives the codec`).to.deep.equal(e);
    history.push(...decided);
    return decided;
  };
  const alertsOf = (events: DomainStreamEvent[]): NewAlert[] => events.flatMap((e) => (e.type === "AlertRaised" ? [e.data] : []));
  const base = (result: { checked_at: string }) => ({ checkId: randomUUID(), trigger: "scheduled" as const, settings, now: new Date(result.checked_at) });
  return {
    history,
    /** All events decided for this SSL check. */
    recordSsl: (result: SslCheckResult) => record({ type: "RecordSslCheck", result, ...base(result) }),
    /** All events decided for this SSL check with an ARI look-up. */
    recordSslWith: (result: SslCheckResult, renewalInfo: RenewalInfo | undefined) => record({ type: "RecordSslCheck", result, renewalInfo, ...base(result) }),
    /** The alerts raised by this SSL check. */
    ssl: (result: SslCheckResult) => alertsOf(record({ type: "RecordSslCheck", result, ...base(result) })),
    whois: (result: RegistrationCheckResult) => alertsOf(record({ type: "RecordWhoisCheck", result, ...base(result) })),
  };
}

/** [type, threshold, severity] of each alert: the shape most rules are about. */
const brief = (alerts: NewAlert[]) => alerts.map((a) => [a.alertType, a.thresholdDays, a.severity]);

describe("Alert policy (unit, through the domain stream decider)", () => {
  describe("recording a check", () => {
    it("records an SSL result as SslChecked / SslCheckFailed and a registration result as WhoisChecked / WhoisCheckFailed", () => {
      const d = monitoredDomain();
      const ok = sslAt(T0, { validTo: plusDays(T0, 90), fingerprint: "aa:01" });
      const [checked] = d.recordSsl(ok);
      expect(checked).to.deep.include({ type: "SslChecked" });
      expect(checked!.data).to.deep.include({ domainId: DOMAIN_ID, trigger: "scheduled", result: ok });
      expect(d.recordSsl(sslFailedAt(T0)).map((e) => e.type)).to.deep.equal(["SslCheckFailed"]);
      const events = given(d.history).when({
        type: "RecordWhoisCheck",
        checkId: randomUUID(),
        trigger: "manual",
        settings: DEFAULT_ALERT_SETTINGS,
        now: T0,
        result: whoisFailedAt(T0),
      });
      expect(events.map((e) => e.type)).to.deep.equal(["WhoisCheckFailed"]);
    });

    it("refuses results for a removed domain (a check that was running when it was deleted)", () => {
      const removed: DomainStreamEvent = { type: "DomainRemoved", data: { domainId: DOMAIN_ID, removedAt: T0.toISOString() } };
      const result = sslAt(T0, { validTo: plusDays(T0, 5), fingerprint: "aa:01" });
      expect(() =>
        given([added, removed]).when({ type: "RecordSslCheck", checkId: randomUUID(), trigger: "scheduled", settings: DEFAULT_ALERT_SETTINGS, now: T0, result }),
      ).to.throw(NotFoundError);
    });

    it("decides the same alert ids when deciding twice (deterministic, valid UUIDs)", () => {
      // Two alerts: ssl_expiry (14) and ssl_invalid.
      const result = sslAt(T0, { validTo: plusDays(T0, 10), fingerprint: "aa:01", chainErrors: [untrusted] });
      const command: DomainStreamCommand = { type: "RecordSslCheck", checkId: randomUUID(), trigger: "scheduled", settings: DEFAULT_ALERT_SETTINGS, now: T0, result };
      const first = given([added]).when(command);
      expect(given([added]).when(command)).to.deep.equal(first);
      const ids = first.flatMap((e) => (e.type === "AlertRaised" ? [e.data.alertId] : []));
      expect(ids).to.have.length(2);
      for (const id of ids) expect(id).to.match(UUID);
      expect(new Set(ids).size).to.equal(2);
    });

    it("records a check id once: the same check again (a retried job) decides nothing, another id does", () => {
      const result = sslAt(T0, { validTo: plusDays(T0, 10), fingerprint: "aa:01" });
      const command: DomainStreamCommand = { type: "RecordSslCheck", checkId: randomUUID(), trigger: "scheduled", settings: DEFAULT_ALERT_SETTINGS, now: T0, result };
      const first = given([added]).when(command);
      expect(first[0]?.type).to.equal("SslChecked");
      expect(first.some((e) => e.type === "AlertRaised"), "with its alert").to.equal(true);
      expect(given([added, ...first]).when(command)).to.deep.equal([]);
      const whois: DomainStreamCommand = { ...command, type: "RecordWhoisCheck", result: whoisFailedAt(T0) };
      expect(given([added, ...first]).when(whois), "a whois check with that id is no new check either").to.deep.equal([]);
      expect(given([added, ...first]).when({ ...command, checkId: randomUUID() }).map((e) => e.type)).to.deep.equal(["SslChecked"]);
    });
  });

  describe("ssl_expiry", () => {
    // One certificate watched as its expiry nears: each threshold alerts on the check that
    // crosses it, with severity rising (over 30 info, 30..8 warning, 7 and below critical).
    const VALID_TO = new Date("2026-03-25T12:00:00.000Z");
    const cert: Cert = { validTo: VALID_TO, fingerprint: "aa:01" };
    const walk: [daysBefore: number, expected: [title: string, threshold: number, severity: string, remaining: string] | null][] = [
      [45, null],
      [31, null],
      [30, ["SSL certificate expires in 30 days", 30, "warning", "30 days remaining."]],
      [29, null],
      [15, null],
      [14, ["SSL certificate expires in 14 days", 14, "warning", "14 days remaining."]],
      [8, null],
      [7, ["SSL certificate expires in 7 days", 7, "critical", "7 days remaining."]],
      [5, null],
      [3, ["SSL certificate expires in 3 days", 3, "critical", "3 days remaining."]],
      [2, null],
      [1, ["SSL certificate expires in 1 day", 1, "critical", "1 day remaining."]],
      [2 / 24, ["SSL certificate expires today", 0, "critical", "0 days remaining."]],
    ];

    it("alerts at 30, 14, 7, 3, 1 and 0 days, once each, in the spec's words and with rising severity", () => {
      const d = monitoredDomain();
      for (const [daysBefore, expected] of walk) {
        const now = new Date(VALID_TO.getTime() - daysBefore * DAY_MS);
        const alerts = d.ssl(sslAt(now, cert));
        if (!expected) {
          expect(alerts, `${daysBefore} days before`).to.deep.equal([]);
          continue;
        }
        const [title, threshold, severity, remaining] = expected;
        expect(alerts, `${daysBefore} days before`).to.have.length(1);
        expect(alerts[0]).to.deep.include({
          domainId: DOMAIN_ID,
          userId: USER_ID,
          hostname: HOST,
          alertType: "ssl_expiry",
          severity,
          title,
          message: `The SSL certificate for example.com expires on 2026-03-25. ${remaining}`,
          thresholdDays: threshold,
          triggeredAt: now.toISOString(),
        });
      }
    });

    it("matches the published example exactly at 30 days", () => {
      const now = new Date("2026-02-23T12:00:00.000Z");
      const [alert, ...more] = monitoredDomain().ssl(sslAt(now, cert));
      expect(more).to.deep.equal([]);
      expect(alert).to.deep.include({
        alertType: "ssl_expiry",
        severity: "warning",
        title: "SSL certificate expires in 30 days",
        message: "The SSL certificate for example.com expires on 2026-03-25. 30 days remaining.",
        thresholdDays: 30,
        triggeredAt: "2026-02-23T12:00:00.000Z",
      });
    });

    it("raises one alert on a first check that finds several thresholds crossed (10 days: 14, not 30), and nothing on re-checks", () => {
      const d = monitoredDomain();
      const now = T0;
      const tenDays = { validTo: plusDays(now, 10), fingerprint: "aa:01" };
      const first = d.ssl(sslAt(now, tenDays));
      expect(brief(first)).to.deep.equal([["ssl_expiry", 14, "warning"]]);
      expect(first[0]).to.deep.include({
        title: "SSL certificate expires in 10 days",
        message: `The SSL certificate for example.com expires on ${tenDays.validTo.toISOString().slice(0, 10)}. 10 days remaining.`,
      });
      expect(d.ssl(sslAt(now, tenDays))).to.deep.equal([]);
      expect(d.ssl(sslAt(new Date(now.getTime() + HOUR_MS), tenDays))).to.deep.equal([]);
      expect(d.ssl(sslAt(plusDays(now, 2), tenDays))).to.deep.equal([]); // 8 days: no new threshold
      expect(brief(d.ssl(sslAt(plusDays(now, 3), tenDays)))).to.deep.equal([["ssl_expiry", 7, "critical"]]);
    });

    it("re-arms every threshold for a renewed certificate (a new valid_to)", () => {
      const d = monitoredDomain();
      const old = { validTo: plusDays(T0, 10), fingerprint: "aa:01" };
      expect(brief(d.ssl(sslAt(T0, old)))).to.deep.equal([["ssl_expiry", 14, "warning"]]);
      const renewed = { validTo: plusDays(T0, 91), fingerprint: "bb:02" };
      const onRenewal = d.ssl(sslAt(plusDays(T0, 1), renewed));
      expect(onRenewal.filter((a) => a.alertType === "ssl_expiry")).to.deep.equal([]);
      // 81 days on, the renewed certificate is 10 days from expiry: its own thresholds alert.
      const later = d.ssl(sslAt(plusDays(T0, 81), renewed));
      expect(brief(later)).to.deep.equal([["ssl_expiry", 14, "warning"]]);
      expect(later[0]!.message).to.contain(`expires on ${renewed.validTo.toISOString().slice(0, 10)}`);
    });

    it("raises one 'has expired' alert for an expired certificate, not one per threshold, and only once", () => {
      const d = monitoredDomain();
      const validTo = plusDays(T0, -2);
      const expired: Cert = { validTo, fingerprint: "aa:01", chainErrors: [expiredError(validTo)] };
      const alerts = d.ssl(sslAt(T0, expired));
      expect(alerts).to.have.length(1);
      expect(alerts[0]).to.deep.include({
        alertType: "ssl_expiry",
        severity: "critical",
        title: "SSL certificate has expired",
        message: `The SSL certificate for example.com expired on ${validTo.toISOString().slice(0, 10)}. 2 days ago.`,
        thresholdDays: 0,
      });
      expect(d.ssl(sslAt(plusDays(T0, 1), expired))).to.deep.equal([]);
    });

    it("raises one 'has expired' alert when a watched certificate runs out, after its thresholds", () => {
      const d = monitoredDomain();
      const validTo = plusDays(T0, 1);
      expect(brief(d.ssl(sslAt(T0, { validTo, fingerprint: "aa:01" })))).to.deep.equal([["ssl_expiry", 1, "critical"]]);
      const expired: Cert = { validTo, fingerprint: "aa:01", chainErrors: [expiredError(validTo)] };
      const alerts = d.ssl(sslAt(plusDays(T0, 2), expired));
      expect(alerts.map((a) => a.title)).to.deep.equal(["SSL certificate has expired"]);
    });

    it("follows the certificate of the served chain that expires first (an intermediate)", () => {
      const now = T0;
      const result = sslAt(now, { validTo: plusDays(now, 80), fingerprint: "aa:01" });
      const intermediateExpiry = plusDays(now, 12).toISOString();
      const withIntermediate: SslCheckOk = {
        ...result,
        earliest_expiry: { depth: 1, subject: "CN=Test CA", valid_to: intermediateExpiry, days_remaining: 12, ip_address: "192.0.2.1" },
      };
      const alerts = monitoredDomain().ssl(withIntermediate);
      expect(brief(alerts)).to.deep.equal([["ssl_expiry", 14, "warning"]]);
      expect(alerts[0]!.message).to.equal(`The SSL certificate for example.com expires on ${intermediateExpiry.slice(0, 10)}. 12 days remaining.`);
    });

    it("alerts nothing while failed checks come in (no certificate was seen)", () => {
      const d = monitoredDomain();
      expect(d.ssl(sslFailedAt(T0))).to.deep.equal([]);
    });
  });

  describe("domain_expiry", () => {
    it("alerts at 30, 14, 7, 3, 1 and 0 days, once each, in the spec's style", () => {
      const d = monitoredDomain();
      const expiry = new Date("2026-03-25T12:00:00.000Z");
      const seen: string[] = [];
      for (const daysBefore of [60, 30, 29, 14, 10, 7, 3, 1, 2 / 24]) {
        for (const a of d.whois(whoisAt(new Date(expiry.getTime() - daysBefore * DAY_MS), expiry))) {
          expect(a.alertType).to.equal("domain_expiry");
          seen.push(`${a.thresholdDays} ${a.severity} ${a.title} | ${a.message}`);
        }
      }
      expect(seen).to.deep.equal([
        "30 warning Domain expires in 30 days | The domain example.com expires on 2026-03-25. 30 days remaining.",
        "14 warning Domain expires in 14 days | The domain example.com expires on 2026-03-25. 14 days remaining.",
        "7 critical Domain expires in 7 days | The domain example.com expires on 2026-03-25. 7 days remaining.",
        "3 critical Domain expires in 3 days | The domain example.com expires on 2026-03-25. 3 days remaining.",
        "1 critical Domain expires in 1 day | The domain example.com expires on 2026-03-25. 1 day remaining.",
        "0 critical Domain expires today | The domain example.com expires on 2026-03-25. 0 days remaining.",
      ]);
    });

    it("alerts each threshold once however often the registration is checked", () => {
      const d = monitoredDomain();
      const expiry = plusDays(T0, 10);
      expect(brief(d.whois(whoisAt(T0, expiry)))).to.deep.equal([["domain_expiry", 14, "warning"]]);
      expect(d.whois(whoisAt(T0, expiry))).to.deep.equal([]);
      expect(d.whois(whoisAt(plusDays(T0, 1), expiry))).to.deep.equal([]);
    });

    it("re-arms after the registration is renewed (a new expiry date)", () => {
      const d = monitoredDomain();
      expect(d.whois(whoisAt(T0, plusDays(T0, 10)))).to.have.length(1);
      const renewed = plusDays(T0, 375);
      expect(d.whois(whoisAt(plusDays(T0, 1), renewed))).to.deep.equal([]);
      expect(brief(d.whois(whoisAt(plusDays(T0, 365), renewed)))).to.deep.equal([["domain_expiry", 14, "warning"]]);
    });

    it("raises one 'has expired' alert for a lapsed registration, once", () => {
      const d = monitoredDomain();
      const expiry = plusDays(T0, -3);
      const alerts = d.whois(whoisAt(T0, expiry));
      expect(alerts).to.have.length(1);
      expect(alerts[0]).to.deep.include({
        alertType: "domain_expiry",
        severity: "critical",
        title: "Domain has expired",
        message: `The domain example.com expired on ${expiry.toISOString().slice(0, 10)}. 3 days ago.`,
        thresholdDays: 0,
      });
      expect(d.whois(whoisAt(plusDays(T0, 1), expiry))).to.deep.equal([]);
    });

    it("alerts nothing when the registry does not say when the registration expires", () => {
      expect(monitoredDomain().whois(whoisAt(T0, null))).to.deep.equal([]);
    });
  });

  describe("a check that crosses several thresholds at once (issue #10, 3)", () => {
    const dateOf = (d: Date) => d.toISOString().slice(0, 10);

    it("given a certificate with 4 days left, when first checked, then one alert (7, critical) saying 4 days, with 30 and 14 recorded as passed over", () => {
      const d = monitoredDomain();
      const validTo = plusDays(T0, 4.5);
      const events = d.recordSsl(sslAt(T0, { validTo, fingerprint: "aa:01" }));
      const alerts = events.flatMap((e) => (e.type === "AlertRaised" ? [e.data] : []));
      expect(alerts).to.have.length(1);
      const [alert] = alerts;
      expect(alert).to.deep.include({
        alertType: "ssl_expiry",
        severity: "critical",
        title: "SSL certificate expires in 4 days",
        message: `The SSL certificate for example.com expires on ${dateOf(validTo)}. 4 days remaining.`,
        thresholdDays: 7,
      });
      const factKey = alert!.dedupeKey.replace(/:7$/, "");
      expect(alert!.passedOverKeys).to.deep.equal([`${factKey}:30`, `${factKey}:14`]);
    });

    it("given thresholds passed over, when the certificate is re-checked as it nears expiry, then they never fire and the next tighter one does", () => {
      const d = monitoredDomain();
      const cert = { validTo: plusDays(T0, 4.5), fingerprint: "aa:01" };
      expect(brief(d.ssl(sslAt(T0, cert)))).to.deep.equal([["ssl_expiry", 7, "critical"]]);
      expect(d.ssl(sslAt(plusDays(T0, 0.5), cert))).to.deep.equal([]);
      const at3 = d.ssl(sslAt(plusDays(T0, 1.5), cert));
      expect(brief(at3)).to.deep.equal([["ssl_expiry", 3, "critical"]]);
      expect(at3[0]!.passedOverKeys).to.deep.equal([]);
      expect(at3[0]!.title).to.equal("SSL certificate expires in 3 days");
    });

    it("given a 90-day certificate checked with 23 hours left, then one alert ('expires today', threshold 0), not six", () => {
      const d = monitoredDomain();
      const validTo = new Date(T0.getTime() + 23 * HOUR_MS);
      const alerts = d.ssl(sslAt(T0, { validTo, fingerprint: "aa:01" }));
      expect(brief(alerts)).to.deep.equal([["ssl_expiry", 0, "critical"]]);
      expect(alerts[0]).to.deep.include({
        title: "SSL certificate expires today",
        message: `The SSL certificate for example.com expires on ${dateOf(validTo)}. 0 days remaining.`,
      });
      expect(alerts[0]!.passedOverKeys).to.have.length(5);
      // Later the same day: nothing; once it has run out: the one "has expired".
      expect(d.ssl(sslAt(new Date(T0.getTime() + 12 * HOUR_MS), { validTo, fingerprint: "aa:01" }))).to.deep.equal([]);
      const expired = { validTo, fingerprint: "aa:01", chainErrors: [expiredError(validTo)] };
      expect(d.ssl(sslAt(plusDays(T0, 1), expired)).map((a) => a.title)).to.deep.equal(["SSL certificate has expired"]);
    });

    it("given a 90-day certificate checked with a day left, then one alert (threshold 1) saying 1 day", () => {
      const alerts = monitoredDomain().ssl(sslAt(T0, { validTo: plusDays(T0, 1), fingerprint: "aa:01" }));
      expect(brief(alerts)).to.deep.equal([["ssl_expiry", 1, "critical"]]);
      expect(alerts[0]!.title).to.equal("SSL certificate expires in 1 day");
    });

    it("given a watched certificate alerted at 30 days, when the next check comes after an outage at 2 days, then one alert (3) passing over 14 and 7", () => {
      const d = monitoredDomain();
      const cert = { validTo: plusDays(T0, 30), fingerprint: "aa:01" };
      expect(brief(d.ssl(sslAt(T0, cert)))).to.deep.equal([["ssl_expiry", 30, "warning"]]);
      const after = d.ssl(sslAt(plusDays(T0, 28), cert));
      expect(brief(after)).to.deep.equal([["ssl_expiry", 3, "critical"]]);
      expect(after[0]!.title).to.equal("SSL certificate expires in 2 days");
      expect(after[0]!.passedOverKeys.map((k) => k.split(":").pop())).to.deep.equal(["14", "7"]);
      expect(brief(d.ssl(sslAt(plusDays(T0, 29), cert)))).to.deep.equal([["ssl_expiry", 1, "critical"]]);
    });

    it("given a tighter threshold already alerted, when the user adds a looser one, then it does not fire (the certificate is past it)", () => {
      const d = monitoredDomain({ ...DEFAULT_ALERT_SETTINGS, ssl_expiry_days: [30, 7] });
      const cert = { validTo: plusDays(T0, 5), fingerprint: "aa:01" };
      expect(brief(d.ssl(sslAt(T0, cert)))).to.deep.equal([["ssl_expiry", 7, "critical"]]);
      const again = given(d.history).when({
        type: "RecordSslCheck",
        result: sslAt(plusDays(T0, 0.5), cert),
        checkId: randomUUID(),
        trigger: "scheduled",
        settings: { ...DEFAULT_ALERT_SETTINGS, ssl_expiry_days: [30, 21, 14, 7] },
        now: plusDays(T0, 0.5),
      });
      expect(again.filter((e) => e.type === "AlertRaised")).to.deep.equal([]);
    });

    it("given a registration with 5 days left, when first checked, then one domain_expiry alert (7) saying 5 days; the passed-over ones never fire", () => {
      const d = monitoredDomain();
      const expiry = plusDays(T0, 5.5);
      const alerts = d.whois(whoisAt(T0, expiry));
      expect(brief(alerts)).to.deep.equal([["domain_expiry", 7, "critical"]]);
      expect(alerts[0]).to.deep.include({
        title: "Domain expires in 5 days",
        message: `The domain example.com expires on ${dateOf(expiry)}. 5 days remaining.`,
      });
      expect(alerts[0]!.passedOverKeys).to.have.length(2);
      expect(d.whois(whoisAt(plusDays(T0, 1), expiry))).to.deep.equal([]);
      expect(brief(d.whois(whoisAt(plusDays(T0, 2.5), expiry)))).to.deep.equal([["domain_expiry", 3, "critical"]]);
    });

    it("given alerts stored as v1 (one per threshold, no passedOverKeys), when read back, then they are upcast and still dedupe", () => {
      const d = monitoredDomain();
      const cert = { validTo: plusDays(T0, 10), fingerprint: "aa:01" };
      const [alert] = d.ssl(sslAt(T0, cert));
      const { passedOverKeys: _p, ...v2 } = alert!;
      const v1 = [30, 14].map((t) =>
        domainStreamCodec.decode({
          type: "AlertRaised",
          data: { ...v2, thresholdDays: t, dedupeKey: alert!.dedupeKey.replace(/:14$/, `:${t}`) },
          metadata: { schemaVersion: 1 },
        }),
      );
      for (const e of v1) expect(e?.type === "AlertRaised" && e.data.passedOverKeys).to.deep.equal([]);
      const history = [added, ...v1.flatMap((e) => (e ? [e] : []))];
      const recheck = (now: Date) =>
        given(history)
          .when({ type: "RecordSslCheck", result: sslAt(now, cert), checkId: randomUUID(), trigger: "scheduled", settings: DEFAULT_ALERT_SETTINGS, now })
          .filter((e) => e.type === "AlertRaised");
      expect(recheck(plusDays(T0, 1))).to.deep.equal([]);
      expect(recheck(plusDays(T0, 3))).to.have.length(1);
    });
  });

  describe("domain_expiry when the registry no longer knows a registered domain (not_found)", () => {
    it("raises one 'has expired' alert when a domain that had a registration answers not_found", () => {
      const d = monitoredDomain();
      d.whois(whoisAt(T0, plusDays(T0, 200)));
      const alerts = d.whois(whoisNotFoundAt(plusDays(T0, 1)));
      expect(alerts).to.have.length(1);
      expect(alerts[0]).to.deep.include({
        alertType: "domain_expiry",
        severity: "critical",
        title: "Domain has expired",
        message: `The registry no longer has a registration for example.com (its registration was due to expire on ${plusDays(T0, 200).toISOString().slice(0, 10)}): it has lapsed or was deleted.`,
        thresholdDays: 0,
      });
      // Repeated not_found answers are the same fact; they neither re-alert nor count as a failing check.
      for (let i = 2; i < 6; i++) expect(d.whois(whoisNotFoundAt(plusDays(T0, i)))).to.deep.equal([]);
    });

    it("is the same fact as the date-based 'has expired' alert: a lapse seen both ways alerts once", () => {
      const d = monitoredDomain();
      const expiry = plusDays(T0, -1);
      expect(brief(d.whois(whoisAt(T0, expiry)))).to.deep.equal([["domain_expiry", 0, "critical"]]);
      expect(d.whois(whoisNotFoundAt(plusDays(T0, 1)))).to.deep.equal([]);
    });

    it("re-arms when the domain is registered again (a new registration)", () => {
      const d = monitoredDomain();
      d.whois(whoisAt(T0, plusDays(T0, 200)));
      expect(d.whois(whoisNotFoundAt(plusDays(T0, 1)))).to.have.length(1);
      d.whois(whoisAt(plusDays(T0, 2), plusDays(T0, 400)));
      expect(brief(d.whois(whoisNotFoundAt(plusDays(T0, 3))))).to.deep.equal([["domain_expiry", 0, "critical"]]);
    });

    it("raises no expiry alert for a domain never seen registered (only the usual check_failed after repeated failures)", () => {
      const d = monitoredDomain();
      expect(d.whois(whoisNotFoundAt(T0))).to.deep.equal([]);
      expect(d.whois(whoisNotFoundAt(plusDays(T0, 1)))).to.deep.equal([]);
      expect(brief(d.whois(whoisNotFoundAt(plusDays(T0, 2))))).to.deep.equal([["check_failed", null, "critical"]]);
    });

    it("raises no expiry alert when the registration found before was another domain's (the hostname changed)", () => {
      const d = monitoredDomain();
      d.whois(whoisAt(T0, plusDays(T0, 200)));
      expect(d.whois(whoisNotFoundAt(plusDays(T0, 1), "other.example"))).to.deep.equal([]);
    });

    it("says nothing about a registration known without an expiry beyond that it lapsed", () => {
      const d = monitoredDomain();
      d.whois(whoisAt(T0, null));
      const [alert] = d.whois(whoisNotFoundAt(plusDays(T0, 1)));
      expect(alert).to.deep.include({
        title: "Domain has expired",
        message: "The registry no longer has a registration for example.com: it has lapsed or was deleted.",
      });
    });
  });

  describe("ssl_invalid", () => {
    it("alerts once per episode of an invalid chain, and again only after the chain was valid in between", () => {
      const d = monitoredDomain();
      const bad: Cert = { validTo: plusDays(T0, 90), fingerprint: "aa:01", chainErrors: [untrusted] };
      const good: Cert = { validTo: plusDays(T0, 90), fingerprint: "aa:01" };
      const first = d.ssl(sslAt(T0, bad));
      expect(first).to.have.length(1);
      expect(first[0]).to.deep.include({
        alertType: "ssl_invalid",
        severity: "critical",
        title: "SSL certificate is not valid",
        message: `The SSL certificate for example.com is not valid: ${untrusted.message}.`,
        thresholdDays: null,
      });
      expect(d.ssl(sslAt(plusDays(T0, 1), bad))).to.deep.equal([]);
      expect(d.ssl(sslFailedAt(plusDays(T0, 2)))).to.deep.equal([]);
      expect(d.ssl(sslAt(plusDays(T0, 3), bad))).to.deep.equal([]); // a failed check does not end the episode
      expect(d.ssl(sslAt(plusDays(T0, 4), good))).to.deep.equal([]);
      expect(brief(d.ssl(sslAt(plusDays(T0, 5), bad)))).to.deep.equal([["ssl_invalid", null, "critical"]]);
    });

    it("still reports an expired certificate that is invalid for another reason too", () => {
      const validTo = plusDays(T0, -1);
      const alerts = monitoredDomain().ssl(sslAt(T0, { validTo, fingerprint: "aa:01", chainErrors: [expiredError(validTo), untrusted] }));
      expect(alerts.map((a) => a.alertType).sort()).to.deep.equal(["ssl_expiry", "ssl_invalid"]);
    });
  });

  describe("certificate_changed", () => {
    const A: Cert = { validTo: plusDays(T0, 80), fingerprint: "aa:01" };
    const B: Cert = { validTo: plusDays(T0, 85), fingerprint: "bb:02" };

    it("says nothing about the first certificate seen, nor on re-checks of it", () => {
      const d = monitoredDomain();
      expect(d.ssl(sslAt(T0, A))).to.deep.equal([]);
      expect(d.ssl(sslAt(plusDays(T0, 1), A))).to.deep.equal([]);
    });

    it("records a routine renewal (same names, issuer, key type) without alerting; the user may ask for it (info)", () => {
      const renewed: Cert = { validTo: plusDays(T0, 120), fingerprint: "cc:03", key: { type: "EC", bits: 384, curve: "secp384r1" } };
      const d = monitoredDomain();
      d.ssl(sslAt(T0, A));
      expect(d.ssl(sslAt(plusDays(T0, 1), renewed))).to.deep.equal([]);
      const wanting = monitoredDomain({ ...DEFAULT_ALERT_SETTINGS, certificate_changes: { ...DEFAULT_ALERT_SETTINGS.certificate_changes, routine_renewal: true } });
      wanting.ssl(sslAt(T0, A));
      const alerts = wanting.ssl(sslAt(plusDays(T0, 1), renewed));
      expect(brief(alerts)).to.deep.equal([["certificate_changed", null, "info"]]);
      expect(alerts[0]).to.deep.include({
        title: "SSL certificate renewed",
        message: `example.com now serves a new SSL certificate issued by CN=Test CA, valid until ${renewed.validTo.toISOString().slice(0, 10)} (a routine renewal: same names, issuer and key type).`,
      });
      expect(wanting.ssl(sslAt(plusDays(T0, 2), renewed))).to.deep.equal([]);
    });

    it("takes another intermediate of the same organisation (R10 -> R11) as routine, another organisation as unexpected (warning)", () => {
      const d = monitoredDomain();
      d.ssl(sslAt(T0, { ...A, issuer: "CN=R10, O=Let's Encrypt, C=US" }));
      expect(d.ssl(sslAt(plusDays(T0, 1), { ...B, issuer: "CN=R11, O=Let's Encrypt, C=US" }))).to.deep.equal([]);
      const other: Cert = { validTo: plusDays(T0, 90), fingerprint: "cc:03", issuer: "CN=WR1, O=Google Trust Services, C=US" };
      const alerts = d.ssl(sslAt(plusDays(T0, 2), other));
      expect(brief(alerts)).to.deep.equal([["certificate_changed", null, "warning"]]);
      expect(alerts[0]!.title).to.equal("SSL certificate changed unexpectedly");
      expect(alerts[0]!.message).to.contain(": issued by Google Trust Services instead of Let's Encrypt.");
    });

    it("alerts fewer names, a weaker key and a certificate issued before its predecessor (warning), saying each", () => {
      const d = monitoredDomain();
      d.ssl(sslAt(T0, { ...A, sans: [HOST, "www.example.com"] }));
      const worse: Cert = {
        validTo: plusDays(T0, 70),
        validFrom: plusDays(T0, -40),
        fingerprint: "cc:03",
        sans: [HOST],
        key: { type: "RSA", bits: 1024, curve: null },
      };
      const alerts = d.ssl(sslAt(plusDays(T0, 1), worse));
      expect(brief(alerts)).to.deep.equal([["certificate_changed", null, "warning"]]);
      expect(alerts[0]!.message).to.contain("no longer covers www.example.com");
      expect(alerts[0]!.message).to.contain("its key is weaker (RSA 1024 instead of EC 256)");
      expect(alerts[0]!.message).to.contain("its key type changed (RSA instead of EC)");
      const day = (d: Date) => d.toISOString().slice(0, 10);
      expect(alerts[0]!.message).to.contain(`it was issued on ${day(plusDays(T0, -40))}, before the certificate it replaces (${day(plusDays(T0, -10))})`);
    });

    it("alerts names added and a stronger key of another type as informational; a stronger key of the same type is routine", () => {
      const d = monitoredDomain();
      d.ssl(sslAt(T0, { ...A, key: { type: "RSA", bits: 2048, curve: null } }));
      expect(d.ssl(sslAt(plusDays(T0, 1), { ...B, key: { type: "RSA", bits: 4096, curve: null } }))).to.deep.equal([]);
      const more: Cert = { validTo: plusDays(T0, 90), fingerprint: "cc:03", sans: [HOST, "api.example.com"], key: { type: "EC", bits: 256, curve: "prime256v1" } };
      const alerts = d.ssl(sslAt(plusDays(T0, 2), more));
      expect(brief(alerts)).to.deep.equal([["certificate_changed", null, "info"]]);
      expect(alerts[0]!.title).to.equal("SSL certificate changed");
      expect(alerts[0]!.message).to.contain(": now also covers api.example.com; its key type changed (EC instead of RSA).");
    });

    it("leaves out the kinds the user turned off, and says nothing when none is left", () => {
      const settings = { ...DEFAULT_ALERT_SETTINGS, certificate_changes: { ...DEFAULT_ALERT_SETTINGS.certificate_changes, issuer_changed: false } };
      const d = monitoredDomain(settings);
      d.ssl(sslAt(T0, { ...A, issuer: "CN=R10, O=Let's Encrypt, C=US" }));
      expect(d.ssl(sslAt(plusDays(T0, 1), { ...B, issuer: "CN=WR1, O=Google Trust Services, C=US" }))).to.deep.equal([]);
      const fewer = d.ssl(sslAt(plusDays(T0, 2), { validTo: plusDays(T0, 90), fingerprint: "cc:03", issuer: "CN=E5, O=Let's Encrypt, C=US", sans: [] }));
      expect(fewer[0]!.message).to.match(/: no longer covers example\.com\.$/);
    });

    it("does not alert for a load balancer serving two certificates at once", () => {
      const d = monitoredDomain();
      for (let day = 0; day < 6; day++) expect(d.ssl(sslAt(plusDays(T0, day), A, B)), `day ${day}`).to.deep.equal([]);
    });

    it("alerts at most once for a load balancer alternating two certificates between checks", () => {
      const d = monitoredDomain();
      const b = { ...B, issuer: "CN=Other CA, O=Other" };
      const changes = [A, b, A, b, A, b, A, b].flatMap((cert, i) =>
        d.ssl(sslAt(plusDays(T0, i), cert)).filter((a) => a.alertType === "certificate_changed"),
      );
      expect(changes).to.have.length(1);
      // A third certificate is a change again.
      const c: Cert = { validTo: plusDays(T0, 90), fingerprint: "cc:03", issuer: "CN=Third CA, O=Third" };
      expect(brief(d.ssl(sslAt(plusDays(T0, 9), c)))).to.deep.equal([["certificate_changed", null, "warning"]]);
    });
  });

  describe("check_failed", () => {
    it("alerts only after 3 consecutive SSL failures (default), once, and re-arms after a success", () => {
      const d = monitoredDomain();
      const day = (n: number) => new Date(T0.getTime() + n * HOUR_MS);
      expect(d.ssl(sslFailedAt(day(0)))).to.deep.equal([]);
      expect(d.ssl(sslFailedAt(day(1)))).to.deep.equal([]);
      const third = d.ssl(sslFailedAt(day(2)));
      expect(third).to.have.length(1);
      expect(third[0]).to.deep.include({
        alertType: "check_failed",
        severity: "critical",
        title: "SSL check failing",
        message: "The SSL check for example.com failed 3 times in a row: connect ECONNREFUSED 192.0.2.1:443",
        thresholdDays: null,
      });
      expect(d.ssl(sslFailedAt(day(3)))).to.deep.equal([]);
      expect(d.ssl(sslFailedAt(day(4)))).to.deep.equal([]);
      expect(d.ssl(sslAt(day(5), { validTo: plusDays(T0, 90), fingerprint: "aa:01" }))).to.deep.equal([]);
      expect(d.ssl(sslFailedAt(day(6)))).to.deep.equal([]);
      expect(d.ssl(sslFailedAt(day(7)))).to.deep.equal([]);
      expect(brief(d.ssl(sslFailedAt(day(8))))).to.deep.equal([["check_failed", null, "critical"]]);
    });

    it("does not alert on blips: failures that never reach 3 in a row", () => {
      const d = monitoredDomain();
      const ok = (n: number) => sslAt(plusDays(T0, n), { validTo: plusDays(T0, 90), fingerprint: "aa:01" });
      const alerts = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((n) => d.ssl(n % 3 === 2 ? ok(n) : sslFailedAt(plusDays(T0, n))));
      expect(alerts).to.deep.equal([]);
    });

    it("counts registration failures on their own, in the same way", () => {
      const d = monitoredDomain();
      d.ssl(sslFailedAt(T0));
      d.ssl(sslFailedAt(T0));
      expect(d.whois(whoisFailedAt(T0))).to.deep.equal([]);
      expect(d.whois(whoisFailedAt(T0))).to.deep.equal([]);
      const third = d.whois(whoisFailedAt(T0));
      expect(third).to.have.length(1);
      expect(third[0]).to.deep.include({
        alertType: "check_failed",
        severity: "critical",
        title: "Domain registration check failing",
        message: "The domain registration check for example.com failed 3 times in a row: no answer within 10000 ms",
      });
      expect(d.whois(whoisFailedAt(T0))).to.deep.equal([]);
      // The SSL side is still at 2 failures: its third alerts on its own.
      expect(brief(d.ssl(sslFailedAt(T0)))).to.deep.equal([["check_failed", null, "critical"]]);
      d.whois(whoisAt(T0, plusDays(T0, 300)));
      expect(d.whois(whoisFailedAt(T0))).to.deep.equal([]);
      expect(d.whois(whoisFailedAt(T0))).to.deep.equal([]);
      expect(brief(d.whois(whoisFailedAt(T0)))).to.deep.equal([["check_failed", null, "critical"]]);
    });

    it("does not count a registry's rate_limited answers as failures", () => {
      const d = monitoredDomain();
      for (let i = 0; i < 5; i++) expect(d.whois(whoisThrottledAt(T0))).to.deep.equal([]);
      expect(d.whois(whoisFailedAt(T0))).to.deep.equal([]);
      expect(d.whois(whoisThrottledAt(T0))).to.deep.equal([]);
      expect(d.whois(whoisFailedAt(T0))).to.deep.equal([]);
      expect(d.whois(whoisThrottledAt(T0))).to.deep.equal([]);
      expect(brief(d.whois(whoisFailedAt(T0)))).to.deep.equal([["check_failed", null, "critical"]]);
    });
  });

  describe("grade_dropped", () => {
    it("alerts once per certificate and grade pair", () => {
      const d = monitoredDomain();
      const cert = (grade: Grade): Cert => ({ validTo: plusDays(T0, 90), fingerprint: "aa:01", grade });
      expect(d.ssl(sslAt(T0, cert("A")))).to.deep.equal([]);
      const drop = d.ssl(sslAt(plusDays(T0, 1), cert("B")));
      expect(drop).to.have.length(1);
      expect(drop[0]).to.deep.include({
        alertType: "grade_dropped",
        severity: "warning",
        title: "SSL grade dropped from A to B",
        message: "The SSL configuration of example.com is now graded B (was A): a cipher caps the grade at B.",
        thresholdDays: null,
      });
      expect(d.ssl(sslAt(plusDays(T0, 2), cert("B")))).to.deep.equal([]);
      expect(d.ssl(sslAt(plusDays(T0, 3), cert("A")))).to.deep.equal([]); // a rise is no alert
      expect(d.ssl(sslAt(plusDays(T0, 4), cert("B")))).to.deep.equal([]); // same certificate, same pair
      expect(brief(d.ssl(sslAt(plusDays(T0, 5), cert("C"))))).to.deep.equal([["grade_dropped", null, "warning"]]); // B -> C
    });

    it("alerts again for the same drop on a new certificate", () => {
      const d = monitoredDomain();
      d.ssl(sslAt(T0, { validTo: plusDays(T0, 90), fingerprint: "aa:01", grade: "A" }));
      expect(d.ssl(sslAt(plusDays(T0, 1), { validTo: plusDays(T0, 90), fingerprint: "aa:01", grade: "B" }))).to.have.length(1);
      d.ssl(sslAt(plusDays(T0, 2), { validTo: plusDays(T0, 120), fingerprint: "cc:03", grade: "A" }));
      const alerts = d.ssl(sslAt(plusDays(T0, 3), { validTo: plusDays(T0, 120), fingerprint: "cc:03", grade: "B" }));
      expect(brief(alerts)).to.deep.equal([["grade_dropped", null, "warning"]]);
    });

    it("leaves an untrusted or expired chain (grade T) to ssl_invalid / ssl_expiry instead of reporting a drop to T", () => {
      const d = monitoredDomain();
      const validTo = plusDays(T0, 90);
      d.ssl(sslAt(T0, { validTo, fingerprint: "aa:01" }));
      const invalid = d.ssl(sslAt(plusDays(T0, 1), { validTo, fingerprint: "aa:01", chainErrors: [untrusted] }));
      expect(brief(invalid)).to.deep.equal([["ssl_invalid", null, "critical"]]);
      // Trusted again, nothing to say; a real configuration drop still alerts while untrusted.
      expect(d.ssl(sslAt(plusDays(T0, 2), { validTo, fingerprint: "aa:01" }))).to.deep.equal([]);
      const both = d.ssl(sslAt(plusDays(T0, 3), { validTo, fingerprint: "aa:01", grade: "C", chainErrors: [untrusted] }));
      expect(both.map((a) => a.title)).to.deep.equal(["SSL certificate is not valid", "SSL grade dropped from A to C"]);
      expect(both[1]!.message).to.equal("The SSL configuration of example.com is now graded C (was A): a cipher caps the grade at C.");
    });

    it("alerts once for a load balancer alternating a well and a poorly configured address", () => {
      const d = monitoredDomain();
      const good: Cert = { validTo: plusDays(T0, 80), fingerprint: "aa:01", grade: "A" };
      const poor: Cert = { validTo: plusDays(T0, 85), fingerprint: "bb:02", grade: "C" };
      const drops = [good, poor, good, poor, good, poor].flatMap((c, i) =>
        d.ssl(sslAt(plusDays(T0, i), c)).filter((a) => a.alertType === "grade_dropped"),
      );
      expect(drops.map((a) => a.title)).to.deep.equal(["SSL grade dropped from A to C"]);
    });
  });

  describe("per-user thresholds", () => {
    const settings: AlertSettings = { ...DEFAULT_ALERT_SETTINGS, ssl_expiry_days: [60, 21], domain_expiry_days: [], check_failed_after: 1 };

    it("uses the user's SSL expiry thresholds (and their severities) instead of the defaults", () => {
      const d = monitoredDomain(settings);
      const validTo = plusDays(T0, 60);
      const cert: Cert = { validTo, fingerprint: "aa:01" };
      expect(brief(d.ssl(sslAt(T0, cert)))).to.deep.equal([["ssl_expiry", 60, "info"]]);
      expect(d.ssl(sslAt(plusDays(T0, 30), cert))).to.deep.equal([]); // 30 is not one of this user's thresholds
      const at21 = d.ssl(sslAt(plusDays(T0, 39), cert));
      expect(brief(at21)).to.deep.equal([["ssl_expiry", 21, "warning"]]);
      expect(at21[0]!.title).to.equal("SSL certificate expires in 21 days");
      expect(d.ssl(sslAt(plusDays(T0, 55), cert))).to.deep.equal([]);
    });

    it("raises no domain_expiry alert when the user has no domain thresholds", () => {
      expect(monitoredDomain(settings).whois(whoisAt(T0, plusDays(T0, 1)))).to.deep.equal([]);
    });

    it("raises check_failed after the user's number of failures", () => {
      const d = monitoredDomain(settings);
      const alerts = d.ssl(sslFailedAt(T0));
      expect(alerts.map((a) => a.message)).to.deep.equal([
        "The SSL check for example.com failed once: connect ECONNREFUSED 192.0.2.1:443",
      ]);
    });
  });

  describe("expiry relative to the certificate's lifetime (issue #14)", () => {
    /** Every expiry alert a certificate of `lifetime` days raises when checked every `step` days from issue to a day past expiry. */
    function walk(lifetime: number, settings: AlertSettings = DEFAULT_ALERT_SETTINGS, step = lifetime / 48) {
      const d = monitoredDomain(settings);
      const cert: Cert = { validFrom: T0, validTo: plusDays(T0, lifetime), fingerprint: "aa:01" };
      const raised: { at: number; title: string; threshold: number | null; severity: string }[] = [];
      for (let at = 0; at <= lifetime + 1; at += step) {
        const now = plusDays(T0, at);
        const expired = now > cert.validTo ? { chainErrors: [expiredError(cert.validTo)] } : {};
        for (const a of d.ssl(sslAt(now, { ...cert, ...expired }))) {
          if (a.alertType === "ssl_expiry") raised.push({ at: Math.round((at / lifetime) * 100) / 100, title: a.title, threshold: a.thresholdDays, severity: a.severity });
        }
      }
      return raised;
    }

    it("1-day certificate: one warning once a third of the day remains ('expires in 8 hours'), then 'has expired'; never 'expires in 30 days'", () => {
      const raised = walk(1);
      expect(raised.map((r) => [r.title, r.threshold, r.severity])).to.deep.equal([
        ["SSL certificate expires in 8 hours", null, "warning"],
        ["SSL certificate has expired", 0, "critical"],
      ]);
      // The first check at or after two thirds of the lifetime.
      expect(raised[0]!.at).to.be.within(0.66, 0.69);
    });

    it("6-day certificate: one warning at 2 days left, then 'has expired'", () => {
      const raised = walk(6);
      expect(raised.map((r) => [r.title, r.threshold])).to.deep.equal([
        ["SSL certificate expires in 2 days", null],
        ["SSL certificate has expired", 0],
      ]);
      expect(raised[0]!.at).to.be.within(0.66, 0.69);
    });

    it("47-day certificate (SC-081's 2029 cap): longer than the largest threshold (30), so the day thresholds apply", () => {
      expect(walk(47, DEFAULT_ALERT_SETTINGS, 0.5).map((r) => r.threshold)).to.deep.equal([30, 14, 7, 3, 1, 0, 0]);
    });

    it("90-, 200- and 398-day certificates: the day thresholds, as before", () => {
      for (const lifetime of [90, 200, 398]) {
        expect(walk(lifetime, DEFAULT_ALERT_SETTINGS, 1).map((r) => r.threshold), `${lifetime} days`).to.deep.equal([30, 14, 7, 3, 1, 0, 0]);
      }
    });

    it("a 47-day certificate with thresholds up to 60 days: relative (a third = 15 days left)", () => {
      const raised = walk(47, { ...DEFAULT_ALERT_SETTINGS, ssl_expiry_days: [60, 30, 7] }, 0.5);
      expect(raised.map((r) => r.title)).to.deep.equal(["SSL certificate expires in 15 days", "SSL certificate has expired"]);
    });

    it("'always' makes a 398-day certificate relative too, at the user's fraction; 'never' keeps a 6-day one on the day thresholds", () => {
      const always = walk(398, { ...DEFAULT_ALERT_SETTINGS, ssl_relative_expiry: "always", ssl_relative_expiry_fraction: 0.1 }, 1);
      expect(always.map((r) => r.title)).to.deep.equal(["SSL certificate expires in 39 days", "SSL certificate has expired"]);
      const never = walk(6, { ...DEFAULT_ALERT_SETTINGS, ssl_relative_expiry: "never" }, 0.25);
      expect(never.map((r) => r.threshold)).to.deep.equal([7, 3, 1, 0, 0]);
    });

    it("says what the relative alert means in its message", () => {
      const d = monitoredDomain();
      const cert: Cert = { validFrom: T0, validTo: plusDays(T0, 6), fingerprint: "aa:01" };
      const [alert] = d.ssl(sslAt(plusDays(T0, 4.5), cert));
      expect(alert!.message).to.equal(
        `The SSL certificate for example.com expires on ${cert.validTo.toISOString().slice(0, 16).replace("T", " ")} UTC, 1 day from now: ` +
          "a third of its 6 days lifetime remains, by when it should have been renewed.",
      );
    });

    it("a first check that finds a short-lived certificate expired raises one 'has expired', passing the renewal point over", () => {
      const d = monitoredDomain();
      const validTo = plusDays(T0, -0.5);
      const alerts = d.ssl(sslAt(T0, { validFrom: plusDays(T0, -6.5), validTo, fingerprint: "aa:01", chainErrors: [expiredError(validTo)] }));
      expect(brief(alerts)).to.deep.equal([["ssl_expiry", 0, "critical"]]);
      expect(alerts[0]!.passedOverKeys).to.have.length(1);
    });
  });

  describe("ACME renewal information (ARI, RFC 9773)", () => {
    const cert: Cert = { validFrom: T0, validTo: plusDays(T0, 90), fingerprint: "aa:01" };
    const window = (start: number, end: number) => ({ start: plusDays(T0, start).toISOString(), end: plusDays(T0, end).toISOString() });
    const info = (now: Date, w: { start: string; end: string } | null, fingerprint = "aa:01"): RenewalInfo => ({
      certificate_id: `aki.${fingerprint}`,
      fingerprint_sha256: fingerprint,
      directory_url: "https://acme.test/directory",
      outcome: w ? "ok" : "failed",
      renewal_window: w,
      explanation_url: w ? "https://acme.test/why" : null,
      message: w ? null : "renewalInfo: HTTP 500",
      fetched_at: now.toISOString(),
      next_fetch_at: new Date(now.getTime() + 6 * HOUR_MS).toISOString(),
    });
    function withAri(settings: AlertSettings = DEFAULT_ALERT_SETTINGS) {
      const d = monitoredDomain(settings);
      const check = (at: number, renewal?: RenewalInfo, c: Cert = cert) => {
        const result = sslAt(plusDays(T0, at), c);
        const events = d.recordSslWith(result, renewal);
        return events.flatMap((e) => (e.type === "AlertRaised" ? [e.data] : []));
      };
      return { d, check };
    }

    it("records the look-up as RenewalInfoFetched beside SslChecked, and nothing without one", () => {
      const { d } = withAri();
      const at = plusDays(T0, 1);
      expect(d.recordSslWith(sslAt(at, cert), info(at, window(58, 60))).map((e) => e.type)).to.deep.equal(["SslChecked", "RenewalInfoFetched"]);
      expect(d.recordSslWith(sslAt(plusDays(T0, 2), cert), undefined).map((e) => e.type)).to.deep.equal(["SslChecked"]);
    });

    it("renewal_overdue: once the window's end has passed with the same certificate served, once; not after a renewal", () => {
      const { check } = withAri();
      expect(check(1, info(plusDays(T0, 1), window(58, 60)))).to.deep.equal([]);
      expect(check(59)).to.deep.equal([]);
      const overdue = check(60.5).filter((a) => a.alertType !== "ssl_expiry");
      expect(brief(overdue)).to.deep.equal([["renewal_overdue", null, "critical"]]);
      expect(overdue[0]!.message).to.contain("ended on " + window(58, 60).end.slice(0, 16).replace("T", " ") + " UTC");
      expect(check(61).filter((a) => a.alertType !== "ssl_expiry")).to.deep.equal([]);
      const fresh = withAri();
      fresh.check(1, info(plusDays(T0, 1), window(58, 60)));
      expect(fresh.check(61, undefined, { validFrom: plusDays(T0, 59), validTo: plusDays(T0, 149), fingerprint: "bb:02" }).map((a) => a.alertType)).to.deep.equal([]);
    });

    it("renewal_requested: when the CA moves the window earlier, with its explanation URL; not when it moves it later, nor on the first look-up", () => {
      const { check } = withAri();
      expect(check(1, info(plusDays(T0, 1), window(58, 60)))).to.deep.equal([]);
      expect(check(2, info(plusDays(T0, 2), window(59, 61)))).to.deep.equal([]);
      const requested = check(3, info(plusDays(T0, 3), window(3, 4)));
      expect(brief(requested)).to.deep.equal([["renewal_requested", null, "warning"]]);
      expect(requested[0]!.message).to.contain("The CA explains why at https://acme.test/why");
      expect(check(3.5, info(plusDays(T0, 3.5), window(3, 4)))).to.deep.equal([]);
      // A failed look-up in between keeps the window to compare with.
      expect(check(3.6, info(plusDays(T0, 3.6), null))).to.deep.equal([]);
      expect(brief(check(3.7, info(plusDays(T0, 3.7), window(2, 3))))).to.deep.equal([["renewal_requested", null, "warning"], ["renewal_overdue", null, "critical"]]);
    });

    it("follows the user's settings for both", () => {
      const { check } = withAri({ ...DEFAULT_ALERT_SETTINGS, renewal_overdue: false, renewal_requested: false });
      check(1, info(plusDays(T0, 1), window(58, 60)));
      expect(check(2, info(plusDays(T0, 2), window(1, 1.5)))).to.deep.equal([]);
    });
  });
});
