// The alert lifecycle (issue #15, 1), given/when/then through the domain stream's decider:
// an open alert is resolved by the check that makes it moot (a renewal, a recovered check, a
// fixed chain, a recovered grade), and by nothing else; acknowledging is idempotent and
// refused for a resolved alert. Pure: no database, no clock of its own.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { SslCheckOk, SslCheckResult } from "../../src/checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../../src/checkers/registration/result.js";
import { domainStreamDecider, type DomainStreamCommand, type DomainStreamEvent } from "../../src/domains/domainStream.js";
import { DEFAULT_ALERT_SETTINGS } from "../../src/monitoring/alertSettings.js";
import { DAY_MS } from "../../src/shared/clock.js";
import { ConflictError, NotFoundError } from "../../src/shared/errors.js";
import { registrationCheckFailed, registrationCheckOk, sslCheckFailed, sslCheckOk } from "../support/checkFixtures.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(domainStreamDecider);

const DOMAIN_ID = "6f1d2c3b-4a59-4e68-8f70-112233445566";
const USER_ID = "0c1d2e3f-4a5b-4c6d-8e7f-8899aabbccdd";
const HOST = "shop.example.com";
const T0 = new Date("2026-05-01T09:00:00.000Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY_MS);

const added: DomainStreamEvent = {
  type: "DomainAdded",
  data: { domainId: DOMAIN_ID, userId: USER_ID, hostname: HOST, requestedHostname: HOST, port: 443, notes: null, tags: [], addedAt: T0.toISOString() },
};

/** A successful SSL check at `now` of a certificate that expires at `validTo`. */
function ssl(now: Date, validTo: Date, extra: Partial<SslCheckOk> = {}): SslCheckOk {
  const base = sslCheckOk({ hostname: HOST, now });
  const valid_to = validTo.toISOString();
  const days_remaining = Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
  return { ...base, valid_to, days_remaining, earliest_expiry: { ...base.earliest_expiry, valid_to, days_remaining }, ...extra };
}
const whois = (now: Date, expiry: Date | null): RegistrationCheckResult => {
  const expiry_date = expiry?.toISOString() ?? null;
  return registrationCheckOk({ hostname: HOST, now }, { expiry_date, registry_expiry_date: expiry_date, days_remaining: null });
};

function domain() {
  const history: DomainStreamEvent[] = [added];
  const run = (command: DomainStreamCommand) => {
    const decided = given(history).when(command);
    history.push(...decided);
    return decided;
  };
  const record = (result: SslCheckResult | RegistrationCheckResult, now: Date) =>
    run({
      type: "hostname" in result && "port" in result ? "RecordSslCheck" : "RecordWhoisCheck",
      checkId: randomUUID(),
      trigger: "scheduled",
      settings: DEFAULT_ALERT_SETTINGS,
      now,
      result,
    } as DomainStreamCommand);
  return {
    history,
    record,
    acknowledge: (alertId: string, userId = USER_ID) => run({ type: "AcknowledgeAlert", alertId, userId, now: at(0) }),
    state: () => given(history).state.monitoring,
  };
}

const raised = (events: DomainStreamEvent[]) => events.flatMap((e) => (e.type === "AlertRaised" ? [e.data] : []));
const resolved = (events: DomainStreamEvent[]) => events.flatMap((e) => (e.type === "AlertResolved" ? [e.data] : []));

describe("Alert lifecycle (unit, through the domain stream decider)", () => {
  describe("ssl_expiry", () => {
    it("is resolved ('renewed') by the check that finds a renewed certificate, with no new alert when it is far from expiry", () => {
      const d = domain();
      const [alert] = raised(d.record(ssl(T0, at(10)), T0));
      expect(alert).to.include({ alertType: "ssl_expiry", thresholdDays: 14 });
      expect(resolved(d.record(ssl(at(1), at(10)), at(1))), "the same certificate re-checked").to.deep.equal([]);
      const events = d.record(ssl(at(2), at(92)), at(2));
      expect(events.map((e) => e.type)).to.deep.equal(["SslChecked", "AlertResolved"]);
      expect(resolved(events)[0]).to.deep.include({
        alertId: alert!.alertId,
        reason: "renewed",
        domainId: DOMAIN_ID,
        userId: USER_ID,
        hostname: HOST,
        alertType: "ssl_expiry",
        resolvedAt: at(2).toISOString(),
      });
      expect(d.state().openAlerts).to.deep.equal([]);
      expect(resolved(d.record(ssl(at(3), at(92)), at(3))), "resolved once").to.deep.equal([]);
    });

    it("resolves the old fact before raising the renewed certificate's own alert when it is within a threshold too", () => {
      const d = domain();
      const [old] = raised(d.record(ssl(T0, at(5)), T0));
      const events = d.record(ssl(at(1), at(21)), at(1));
      expect(events.map((e) => e.type)).to.deep.equal(["SslChecked", "AlertResolved", "AlertRaised"]);
      expect(resolved(events)[0]!.alertId).to.equal(old!.alertId);
      expect(raised(events)[0]).to.include({ alertType: "ssl_expiry", thresholdDays: 30 });
    });

    it("is resolved as 'replaced', never 'renewed', when the new certificate expires before the alerted one, which raises its own alert", () => {
      for (const validTo of [at(-2), at(5), at(28.9)]) {
        const d = domain();
        const [old] = raised(d.record(ssl(T0, at(29)), T0));
        const events = d.record(ssl(at(1), validTo), at(1));
        expect(resolved(events).map((r) => [r.alertId, r.reason]), validTo.toISOString()).to.deep.equal([[old!.alertId, "replaced"]]);
        expect(raised(events).map((a) => a.alertType), validTo.toISOString()).to.include("ssl_expiry");
      }
    });

    it("is not resolved by a failed check (it says nothing about the certificate)", () => {
      const d = domain();
      d.record(ssl(T0, at(10)), T0);
      expect(resolved(d.record(sslCheckFailed({ hostname: HOST, now: at(1) }), at(1)))).to.deep.equal([]);
      expect(d.state().openAlerts).to.have.length(1);
    });
  });

  describe("check_failed, ssl_invalid and grade_dropped", () => {
    it("resolves an SSL check_failed ('check_recovered') on the next successful SSL check, not on a registration check", () => {
      const d = domain();
      for (let i = 0; i < 3; i++) d.record(sslCheckFailed({ hostname: HOST, now: at(i) }), at(i));
      const [failed] = d.state().openAlerts;
      expect(failed).to.include({ alertType: "check_failed" });
      expect(resolved(d.record(whois(at(3), at(300)), at(3)))).to.deep.equal([]);
      const events = d.record(ssl(at(4), at(90)), at(4));
      expect(resolved(events)).to.deep.equal([
        {
          alertId: failed!.alertId,
          domainId: DOMAIN_ID,
          userId: USER_ID,
          hostname: HOST,
          alertType: "check_failed",
          dedupeKey: failed!.dedupeKey,
          reason: "check_recovered",
          checkId: (events[0]!.data as { checkId: string }).checkId, // the check that recovered
          resolvedAt: at(4).toISOString(),
        },
      ]);
    });

    it("resolves a registration check_failed on the next successful registration check, not on an SSL check", () => {
      const d = domain();
      for (let i = 0; i < 3; i++) d.record(registrationCheckFailed({ hostname: HOST, now: at(i) }), at(i));
      expect(d.state().openAlerts.map((a) => a.alertType)).to.deep.equal(["check_failed"]);
      expect(resolved(d.record(ssl(at(3), at(90)), at(3)))).to.deep.equal([]);
      expect(resolved(d.record(whois(at(4), null), at(4))).map((r) => r.reason)).to.deep.equal(["check_recovered"]);
    });

    it("resolves ssl_invalid ('chain_fixed') once the chain is valid, not while it is still invalid", () => {
      const d = domain();
      const untrusted = { chain_valid: false, chain_errors: [{ reason: "unknown_issuer" as const, message: "not trusted", depth: 0, code: "X" }] };
      expect(raised(d.record(ssl(T0, at(90), untrusted), T0)).map((a) => a.alertType)).to.deep.equal(["ssl_invalid"]);
      expect(resolved(d.record(ssl(at(1), at(90), untrusted), at(1)))).to.deep.equal([]);
      expect(resolved(d.record(ssl(at(2), at(90)), at(2))).map((r) => r.reason)).to.deep.equal(["chain_fixed"]);
    });

    it("resolves grade_dropped ('grade_recovered') when the grade is back to at least the grade before the drop, not at a still lower one", () => {
      const d = domain();
      d.record(ssl(T0, at(90)), T0);
      const drop = (g: "B" | "C" | "A", n: number) =>
        d.record(ssl(at(n), at(90), { grade: g, grade_trust_ignored: g, grade_reasons: g === "A" ? [] : [{ code: "weak", cap: g, message: `capped at ${g}` }] }), at(n));
      expect(raised(drop("C", 1)).map((a) => a.title)).to.deep.equal(["SSL grade dropped from A to C"]);
      expect(resolved(drop("B", 2)), "B is better than C but below A").to.deep.equal([]);
      expect(resolved(drop("A", 3)).map((r) => r.reason)).to.deep.equal(["grade_recovered"]);
    });

    it("resolves ssl_revoked ('renewed') once no address serves the revoked certificate, not while it is still served", () => {
      const d = domain();
      const revocation = { revocation: "revoked" as const, revocation_source: "crl" as const, revocation_reason: "keyCompromise", revoked_at: at(0).toISOString() };
      const revokedCheck = (now: Date) => {
        const r = ssl(now, at(90));
        return { ...r, ...revocation, endpoints: r.endpoints.map((e) => (e.outcome === "ok" ? { ...e, ...revocation } : e)) };
      };
      expect(raised(d.record(revokedCheck(T0), T0)).map((a) => a.alertType)).to.include("ssl_revoked");
      expect(resolved(d.record(revokedCheck(at(1)), at(1)))).to.deep.equal([]);
      const renewed = ssl(at(2), at(180));
      const endpoints = renewed.endpoints.map((e) => (e.outcome === "ok" ? { ...e, fingerprint_sha256: "ee:ff" } : e));
      expect(resolved(d.record({ ...renewed, endpoints, fingerprint_sha256: "ee:ff" }, at(2))).map((r) => [r.alertType, r.reason])).to.deep.include(["ssl_revoked", "renewed"]);
      expect(d.state().openAlerts.map((a) => a.alertType)).to.not.include("ssl_revoked");
    });

    it("never resolves certificate_changed (an event, not a condition)", () => {
      const d = domain();
      d.record(ssl(T0, at(90)), T0);
      // Another issuer: an unexpected change, which alerts (a routine renewal would not; issue #14).
      const renewed = ssl(at(1), at(180), { issuer: "O=Other CA, CN=Other Issuing CA" });
      const endpoints = renewed.endpoints.map((e) => (e.outcome === "ok" ? { ...e, issuer: "O=Other CA, CN=Other Issuing CA", fingerprint_sha256: "cc:dd" } : e));
      expect(raised(d.record({ ...renewed, endpoints, fingerprint_sha256: "cc:dd" }, at(1))).map((a) => a.alertType)).to.deep.equal(["certificate_changed"]);
      expect(resolved(d.record({ ...ssl(at(2), at(400)), endpoints, fingerprint_sha256: "cc:dd" }, at(2)))).to.deep.equal([]);
      expect(d.state().openAlerts.map((a) => a.alertType)).to.deep.equal(["certificate_changed"]);
    });
  });

  describe("domain_expiry", () => {
    it("is resolved ('registration_renewed') by a registration check with a later expiry date; not by the same date or an answer without one", () => {
      const d = domain();
      expect(raised(d.record(whois(T0, at(20)), T0)).map((a) => a.alertType)).to.deep.equal(["domain_expiry"]);
      expect(resolved(d.record(whois(at(1), at(20)), at(1)))).to.deep.equal([]);
      expect(resolved(d.record(whois(at(2), null), at(2)))).to.deep.equal([]);
      expect(resolved(d.record(whois(at(3), at(385)), at(3))).map((r) => r.reason)).to.deep.equal(["registration_renewed"]);
    });

    it("is resolved as 'registration_changed', not renewed, when the expiry date moves earlier", () => {
      const d = domain();
      raised(d.record(whois(T0, at(20)), T0));
      const events = d.record(whois(at(1), new Date(at(20).getTime() - 60_000)), at(1));
      expect(resolved(events).map((r) => r.reason)).to.deep.equal(["registration_changed"]);
      expect(raised(events).map((a) => a.alertType)).to.deep.equal(["domain_expiry"]);
    });
  });

  describe("acknowledging", () => {
    it("acknowledges an open alert once (idempotent), and it is still resolved later by its renewal", () => {
      const d = domain();
      const [alert] = raised(d.record(ssl(T0, at(10)), T0));
      const [ack] = d.acknowledge(alert!.alertId);
      expect(ack).to.deep.equal({
        type: "AlertAcknowledged",
        data: { alertId: alert!.alertId, domainId: DOMAIN_ID, userId: USER_ID, hostname: HOST, alertType: "ssl_expiry", acknowledgedAt: at(0).toISOString() },
      });
      expect(d.acknowledge(alert!.alertId)).to.deep.equal([]);
      expect(resolved(d.record(ssl(at(1), at(90)), at(1)))).to.have.length(1);
    });

    it("refuses a resolved alert (409), another user's alert and an unknown domain (404)", () => {
      const d = domain();
      const [alert] = raised(d.record(ssl(T0, at(10)), T0));
      expect(() => d.acknowledge(alert!.alertId, randomUUID())).to.throw(NotFoundError);
      expect(() => given([]).when({ type: "AcknowledgeAlert", alertId: alert!.alertId, userId: USER_ID, now: T0 })).to.throw(NotFoundError);
      d.record(ssl(at(1), at(90)), at(1));
      expect(() => d.acknowledge(alert!.alertId)).to.throw(ConflictError);
    });
  });
});
