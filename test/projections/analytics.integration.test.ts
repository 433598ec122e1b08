// The analytics schema (docs/analytics.md), projected from four days of two users' domains
// going through the real command handler: checks, a renewal, a failed check, a paused and a
// removed domain, alerts. Every table's content is asserted, then a rebuild from zero, a
// replay of every event, and the events applied again in batches of other sizes must leave
// the tables exactly as the live projection did.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { liveTarget } from "../../src/infrastructure/projections/projectionTarget.js";
import { analyticsProjection } from "../../projections/analytics/analyticsProjection.js";
import type { SslCheckResult } from "../../src/checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../../src/checkers/registration/result.js";
import { domainStream } from "../../src/domains/domainStream.js";
import { domainStreamName } from "../../src/domains/events.js";
import { eventMetadata } from "../../src/infrastructure/commandHandling/requestContext.js";
import type { GlobalPosition, RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";
import { DEFAULT_ALERT_SETTINGS } from "../../src/monitoring/alertSettings.js";
import { ManualClock } from "../../src/shared/clock.js";
import { sslCheckOfCertificate, type CertificateSpec } from "../support/analyticsFixtures.js";
import { registrationCheckFailed, registrationCheckOk, sslCheckFailed } from "../support/checkFixtures.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const LE_R10 = "CN=R10, O=Let's Encrypt, C=US";
const LE_R11 = "CN=R11, O=Let's Encrypt, C=US";
const LE_E6 = "CN=E6, O=Let's Encrypt, C=US";
const SECTIGO = "CN=Sectigo RSA Domain Validation Secure Server CA, O=Sectigo Limited, L=Salford, ST=Greater Manchester, C=GB";

const A1: CertificateSpec = { fingerprint: "a1:a1", issuer: LE_R11, validFrom: "2026-01-20T12:00:00.000Z", validTo: "2026-03-20T12:00:00.000Z" };
const A2: CertificateSpec = { fingerprint: "a2:a2", issuer: LE_R10, validFrom: "2026-03-03T09:00:00.000Z", validTo: "2026-06-01T09:00:00.000Z" };
const B1: CertificateSpec = {
  fingerprint: "b1:b1",
  issuer: SECTIGO,
  validFrom: "2025-09-01T00:00:00.000Z",
  validTo: "2026-09-01T00:00:00.000Z",
  grade: "A+",
  key: { type: "RSA", bits: 2048, curve: null },
};
const C1: CertificateSpec = { fingerprint: "c1:c1", issuer: LE_E6, validFrom: "2026-01-31T00:00:00.000Z", validTo: "2026-05-01T00:00:00.000Z", grade: "B" };
const E1: CertificateSpec = { fingerprint: "e1:e1", issuer: LE_R11, validFrom: "2026-02-15T00:00:00.000Z", validTo: "2026-05-16T00:00:00.000Z" };

type Row = Record<string, unknown>;

describe("analytics read models (integration)", function () {
  this.timeout(40_000);
  const clock = new ManualClock(new Date("2026-03-01T09:00:00.000Z"));
  const users = { alice: randomUUID(), bob: randomUUID() };
  const domainIds = new Map<string, string>();
  /** Ids are random: rows show users by name and domains by hostname instead. */
  const names = new Map<unknown, string>(Object.entries(users).map(([name, id]) => [id, name]));
  let t: TestServer;
  let last: GlobalPosition | null = null;
  let live: Map<string, string[]>;

  const at = (iso: string) => clock.set(new Date(iso));
  const ctx = (user: keyof typeof users) => ({ correlationId: randomUUID(), userId: users[user] });
  const domainId = (hostname: string) => domainIds.get(hostname) ?? expect.fail(`no domain ${hostname}`);
  const track = (position: GlobalPosition | null) => (last = position ?? last);

  async function add(user: keyof typeof users, hostname: string) {
    const added = await t.server.services.domains.add(ctx(user), { hostname, port: 443, notes: null, tags: [] });
    domainIds.set(hostname, added.domainId);
    names.set(added.domainId, hostname);
    track(added.position);
  }

  // A's renewal is routine (same issuer and key type), which alerts only when asked for (issue #14).
  const ALERT_EVERY_RENEWAL = { ...DEFAULT_ALERT_SETTINGS, certificate_changes: { ...DEFAULT_ALERT_SETTINGS.certificate_changes, routine_renewal: true } };

  async function record(user: keyof typeof users, hostname: string, result: SslCheckResult | RegistrationCheckResult) {
    const common = { checkId: randomUUID(), trigger: "scheduled" as const, settings: ALERT_EVERY_RENEWAL, now: clock.now() };
    const command =
      "port" in result ? { ...common, type: "RecordSslCheck" as const, result } : { ...common, type: "RecordWhoisCheck" as const, result };
    const recorded = await t.server.services.handler.handle(domainStreamName(domainId(hostname)), domainStream, command, eventMetadata(ctx(user)));
    track(recorded.position);
  }

  const ssl = (user: keyof typeof users, hostname: string, cert: CertificateSpec) =>
    record(user, hostname, sslCheckOfCertificate({ hostname, now: clock.now() }, cert));
  const whois = (user: keyof typeof users, hostname: string, registrar: string, expiry: string) =>
    record(
      user,
      hostname,
      registrationCheckOk(
        { hostname, now: clock.now() },
        { registrar, expiry_date: expiry, registry_expiry_date: expiry, created_date: "2001-05-04T00:00:00.000Z", days_remaining: null },
      ),
    );

  /** Four days: alice has a, b and e; bob has c, and d for a day. */
  async function story() {
    at("2026-03-01T09:00:00.000Z");
    for (const hostname of ["a.example.com", "b.example.com", "e.example.net"]) await add("alice", hostname);
    await add("bob", "c.example.org");
    at("2026-03-01T10:00:00.000Z");
    await ssl("alice", "a.example.com", A1); // 19 days left: ssl_expiry alert (30)
    await ssl("alice", "b.example.com", B1);
    await ssl("alice", "e.example.net", E1);
    await whois("alice", "a.example.com", "Example Registrar, Inc.", "2027-01-01T00:00:00.000Z");
    await ssl("bob", "c.example.org", C1);
    await whois("bob", "c.example.org", "Other Registrar", "2026-03-25T00:00:00.000Z"); // domain_expiry alert (30)

    at("2026-03-02T10:00:00.000Z");
    await ssl("alice", "a.example.com", A1);
    await record("alice", "b.example.com", sslCheckFailed({ hostname: "b.example.com", now: clock.now() }));
    at("2026-03-02T11:00:00.000Z");
    await add("bob", "d.example.org");

    at("2026-03-03T10:00:00.000Z");
    await ssl("alice", "a.example.com", A2); // renewed 17 days before expiry: certificate_changed alert
    at("2026-03-03T10:30:00.000Z");
    track(await t.server.services.domains.remove(ctx("bob"), domainId("d.example.org")));
    at("2026-03-03T11:00:00.000Z");
    track((await t.server.services.domains.update(ctx("alice"), domainId("b.example.com"), { isActive: false })).position);

    // The first event of day 4 closes day 3.
    at("2026-03-04T10:00:00.000Z");
    await record("alice", "a.example.com", registrationCheckFailed({ hostname: "a.example.com", now: clock.now() }));
  }

  /** Rows with ids as names and instants as ISO strings. */
  async function rows(sql: string): Promise<Row[]> {
    const result = await t.server.infra.knex.raw<{ rows: Row[] }>(sql);
    return result.rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : (names.get(v) ?? v)]),
      ),
    );
  }

  /** Every row of every analytics table, in a canonical order. */
  async function snapshot(): Promise<Map<string, string[]>> {
    const tables = new Map<string, string[]>();
    for (const table of analyticsProjection.tables) {
      const result = await t.server.infra.knex.raw<{ rows: { row: string }[] }>(
        `select to_jsonb(x)::text as row from ${analyticsProjection.schema}.${table} x order by 1`,
      );
      tables.set(table, result.rows.map((r) => r.row));
    }
    return tables;
  }

  before(async () => {
    t = await startTestServer({ clock });
    await story();
    await t.server.services.projections.waitFor(last ?? expect.fail("nothing appended"), 10_000, "all");
    live = await snapshot();
  });
  after(() => t?.close());

  it("keeps each domain's owner and lifecycle", async () => {
    const domains = await rows(`select * from analytics.domains order by hostname`);
    expect(domains.map((r) => [r["domain_id"], r["user_id"], r["hostname"], r["port"], r["is_active"], r["added_at"], r["removed_at"]])).to.deep.equal([
      ["a.example.com", "alice", "a.example.com", 443, true, "2026-03-01T09:00:00.000Z", null],
      ["b.example.com", "alice", "b.example.com", 443, false, "2026-03-01T09:00:00.000Z", null],
      ["c.example.org", "bob", "c.example.org", 443, true, "2026-03-01T09:00:00.000Z", null],
      ["d.example.org", "bob", "d.example.org", 443, true, "2026-03-02T11:00:00.000Z", "2026-03-03T10:30:00.000Z"],
      ["e.example.net", "alice", "e.example.net", 443, true, "2026-03-01T09:00:00.000Z", null],
    ]);
    // The last lifecycle event applied to each.
    expect(domains.map((r) => r["stream_revision"])).to.deep.equal(["0", "3", "0", "1", "0"]);
  });

  it("records the certificate of every successful SSL check, with every column", async () => {
    const checks = await rows(`select * from analytics.certificate_checks order by checked_at, hostname`);
    const { check_id: firstCheckId, ...first } = checks[0] ?? {};
    expect(firstCheckId).to.be.a("string");
    expect(first).to.deep.equal({
      domain_id: "a.example.com",
      user_id: "alice",
      hostname: "a.example.com",
      port: 443,
      trigger: "scheduled",
      checked_at: "2026-03-01T10:00:00.000Z",
      ip_address: "192.0.2.1",
      subject: "CN=a.example.com",
      issuer: LE_R11,
      issuer_organization: "Let's Encrypt",
      issuer_common_name: "R11",
      serial_number: "01",
      fingerprint_sha256: "a1:a1",
      key_type: "EC",
      key_bits: 256,
      key_curve: "prime256v1",
      signature_algorithm: "sha256WithRSAEncryption",
      grade: "A",
      tls_version: "TLSv1.3",
      valid_from: "2026-01-20T12:00:00.000Z",
      valid_to: "2026-03-20T12:00:00.000Z",
      days_remaining_at_check: 19,
      earliest_expiry: "2026-03-20T12:00:00.000Z",
      chain_valid: true,
      hsts: false,
    });
    const summary = (r: Row) => [r["hostname"], r["user_id"], r["checked_at"], r["issuer_organization"], r["issuer_common_name"], r["fingerprint_sha256"], r["key_type"], r["key_bits"], r["grade"], r["days_remaining_at_check"]];
    expect(checks.map(summary)).to.deep.equal([
      ["a.example.com", "alice", "2026-03-01T10:00:00.000Z", "Let's Encrypt", "R11", "a1:a1", "EC", 256, "A", 19],
      ["b.example.com", "alice", "2026-03-01T10:00:00.000Z", "Sectigo Limited", "Sectigo RSA Domain Validation Secure Server CA", "b1:b1", "RSA", 2048, "A+", 183],
      ["c.example.org", "bob", "2026-03-01T10:00:00.000Z", "Let's Encrypt", "E6", "c1:c1", "EC", 256, "B", 60],
      ["e.example.net", "alice", "2026-03-01T10:00:00.000Z", "Let's Encrypt", "R11", "e1:e1", "EC", 256, "A", 75],
      ["a.example.com", "alice", "2026-03-02T10:00:00.000Z", "Let's Encrypt", "R11", "a1:a1", "EC", 256, "A", 18],
      ["a.example.com", "alice", "2026-03-03T10:00:00.000Z", "Let's Encrypt", "R10", "a2:a2", "EC", 256, "A", 89],
    ]);
  });

  it("records a renewal with the days left on the old certificate when the new one was first seen", async () => {
    expect(await rows(`select * from analytics.certificate_renewals`)).to.deep.equal([
      {
        domain_id: "a.example.com",
        new_fingerprint: "a2:a2",
        user_id: "alice",
        hostname: "a.example.com",
        port: 443,
        check_id: (await rows(`select check_id from analytics.certificate_checks where fingerprint_sha256 = 'a2:a2'`))[0]?.["check_id"],
        renewed_at: "2026-03-03T10:00:00.000Z",
        days_before_expiry: 17,
        old_fingerprint: "a1:a1",
        old_issuer: LE_R11,
        old_issuer_organization: "Let's Encrypt",
        old_valid_to: "2026-03-20T12:00:00.000Z",
        new_issuer: LE_R10,
        new_issuer_organization: "Let's Encrypt",
        new_valid_from: "2026-03-03T09:00:00.000Z",
        new_valid_to: "2026-06-01T09:00:00.000Z",
      },
    ]);
  });

  it("keeps the latest check facts of each checked domain; a failed check keeps the dates", async () => {
    expect(await rows(`select * from analytics.domain_status_current`)).to.deep.members([
      {
        domain_id: "a.example.com",
        ssl_checked_at: "2026-03-03T10:00:00.000Z",
        ssl_check_failed: false,
        ssl_valid_to: "2026-06-01T09:00:00.000Z",
        ssl_earliest_expiry: "2026-06-01T09:00:00.000Z",
        ssl_chain_valid: true,
        whois_checked_at: "2026-03-04T10:00:00.000Z",
        whois_check_failed: true,
        whois_lapsed: false,
        whois_expiry: "2027-01-01T00:00:00.000Z",
        // 8 since issue #15: a later check of it also resolved an earlier alert (AlertResolved).
        stream_revision: "8",
      },
      {
        domain_id: "b.example.com",
        ssl_checked_at: "2026-03-02T10:00:00.000Z",
        ssl_check_failed: true,
        ssl_valid_to: "2026-09-01T00:00:00.000Z",
        ssl_earliest_expiry: "2026-09-01T00:00:00.000Z",
        ssl_chain_valid: true,
        whois_checked_at: null,
        whois_check_failed: null,
        whois_lapsed: null,
        whois_expiry: null,
        stream_revision: "2",
      },
      {
        domain_id: "c.example.org",
        ssl_checked_at: "2026-03-01T10:00:00.000Z",
        ssl_check_failed: false,
        ssl_valid_to: "2026-05-01T00:00:00.000Z",
        ssl_earliest_expiry: "2026-05-01T00:00:00.000Z",
        ssl_chain_valid: true,
        whois_checked_at: "2026-03-01T10:00:00.000Z",
        whois_check_failed: false,
        whois_lapsed: false,
        whois_expiry: "2026-03-25T00:00:00.000Z",
        stream_revision: "2",
      },
      {
        domain_id: "e.example.net",
        ssl_checked_at: "2026-03-01T10:00:00.000Z",
        ssl_check_failed: false,
        ssl_valid_to: "2026-05-16T00:00:00.000Z",
        ssl_earliest_expiry: "2026-05-16T00:00:00.000Z",
        ssl_chain_valid: true,
        whois_checked_at: null,
        whois_check_failed: null,
        whois_lapsed: null,
        whois_expiry: null,
        stream_revision: "1",
      },
    ]);
  });

  it("counts each user's active domains per status at the end of every finished day", async () => {
    const days = await rows(`select user_id, day::text, status, domain_count from analytics.daily_domain_status`);
    // Sorted by user name (the ids are random).
    expect(days.map((r) => [r["day"], r["user_id"], r["status"], r["domain_count"]]).sort()).to.deep.equal([
      // Day 1: a's certificate has 19 days left, c's registration 24.
      ["2026-03-01", "alice", "valid", 2],
      ["2026-03-01", "alice", "warning", 1],
      ["2026-03-01", "bob", "warning", 1],
      // Day 2: b's check failed; d was added but not checked yet.
      ["2026-03-02", "alice", "error", 1],
      ["2026-03-02", "alice", "valid", 1],
      ["2026-03-02", "alice", "warning", 1],
      ["2026-03-02", "bob", "pending", 1],
      ["2026-03-02", "bob", "warning", 1],
      // Day 3: a renewed; b paused and d removed no longer count.
      ["2026-03-03", "alice", "valid", 2],
      ["2026-03-03", "bob", "warning", 1],
    ]);
    // Day 4 is still open: its end has not been seen yet.
    expect(await rows(`select open_day::text from analytics.daily_status_cursor`)).to.deep.equal([{ open_day: "2026-03-04" }]);
  });

  it("records every alert, counted per day, type and severity", async () => {
    const alerts = await rows(`select * from analytics.alerts order by triggered_at, alert_type`);
    expect(alerts.map((r) => [r["user_id"], r["domain_id"], r["hostname"], r["alert_type"], r["severity"], r["threshold_days"], r["triggered_at"]])).to.deep.equal([
      ["bob", "c.example.org", "c.example.org", "domain_expiry", "warning", 30, "2026-03-01T10:00:00.000Z"],
      ["alice", "a.example.com", "a.example.com", "ssl_expiry", "warning", 30, "2026-03-01T10:00:00.000Z"],
      ["alice", "a.example.com", "a.example.com", "certificate_changed", "info", null, "2026-03-03T10:00:00.000Z"],
    ]);
    // Each alert names the check that raised it.
    const checkIds = await rows(`select check_id from analytics.certificate_checks union select check_id from analytics.registrations`);
    expect(checkIds.map((r) => r["check_id"])).to.include.members(alerts.map((r) => r["check_id"]));
    expect(await rows(`select user_id, day::text, alert_type, severity, alert_count from analytics.alert_counts order by day, alert_type`)).to.deep.equal([
      { user_id: "bob", day: "2026-03-01", alert_type: "domain_expiry", severity: "warning", alert_count: 1 },
      { user_id: "alice", day: "2026-03-01", alert_type: "ssl_expiry", severity: "warning", alert_count: 1 },
      { user_id: "alice", day: "2026-03-03", alert_type: "certificate_changed", severity: "info", alert_count: 1 },
    ]);
  });

  it("keeps the latest registration facts per domain; a failed check leaves them", async () => {
    const registrations = await rows(`select * from analytics.registrations order by hostname`);
    expect(registrations.map((r) => typeof r["check_id"])).to.deep.equal(["string", "string"]);
    expect(registrations.map(({ check_id: _checkId, ...row }) => row)).to.deep.equal([
      {
        domain_id: "a.example.com",
        user_id: "alice",
        hostname: "a.example.com",
        registrable_domain: "a.example.com",
        registrar: "Example Registrar, Inc.",
        created_date: "2001-05-04T00:00:00.000Z",
        expiry_date: "2027-01-01T00:00:00.000Z",
        days_remaining_at_check: null,
        dnssec: null,
        source: "rdap",
        server: "https://rdap.test/",
        checked_at: "2026-03-01T10:00:00.000Z",
        stream_revision: "3",
      },
      {
        domain_id: "c.example.org",
        user_id: "bob",
        hostname: "c.example.org",
        registrable_domain: "c.example.org",
        registrar: "Other Registrar",
        created_date: "2001-05-04T00:00:00.000Z",
        expiry_date: "2026-03-25T00:00:00.000Z",
        days_remaining_at_check: null,
        dnssec: null,
        source: "rdap",
        server: "https://rdap.test/",
        checked_at: "2026-03-01T10:00:00.000Z",
        stream_revision: "2",
      },
    ]);
  });

  it("distributes active domains' current certificates by issuer and registrations by registrar", async () => {
    expect(await rows(`select domain_id, fingerprint_sha256 from analytics.latest_certificates order by 2`)).to.deep.equal([
      { domain_id: "a.example.com", fingerprint_sha256: "a2:a2" },
      { domain_id: "c.example.org", fingerprint_sha256: "c1:c1" },
      { domain_id: "e.example.net", fingerprint_sha256: "e1:e1" },
    ]);
    expect(await rows(`select * from analytics.issuer_distribution order by domain_count desc`)).to.deep.equal([
      { user_id: "alice", issuer_organization: "Let's Encrypt", domain_count: 2 },
      { user_id: "bob", issuer_organization: "Let's Encrypt", domain_count: 1 },
    ]);
    expect(await rows(`select * from analytics.registrar_distribution order by registrar`)).to.deep.equal([
      { user_id: "alice", registrar: "Example Registrar, Inc.", domain_count: 1 },
      { user_id: "bob", registrar: "Other Registrar", domain_count: 1 },
    ]);
  });

  /** Applies `events` as one batch to the live tables, in its own transaction. */
  const apply = (events: readonly RecordedEvent[]) =>
    t.server.infra.knex.transaction(async (trx) => {
      // As the runner does: handlers name tables unqualified.
      await trx.raw("select set_config('search_path', ?, true)", [liveTarget(analyticsProjection).searchPath]);
      await analyticsProjection.applyBatch(trx, events);
    });

  it("changes nothing when every event is applied again", async () => {
    await apply(await t.server.infra.eventStore.readAll({ maxCount: 10_000 }));
    expect(await snapshot()).to.deep.equal(live);
  });

  it("writes the same tables from batches of any size, and from batches that replay part of the one before", async () => {
    const events = await t.server.infra.eventStore.readAll({ maxCount: 10_000 });
    const tables = analyticsProjection.tables.map((table) => `${analyticsProjection.schema}.${table}`).join(", ");
    /** Batch i starts at i * step and holds `size` events: with step < size, a batch replays the last events of the one before. */
    const cases = [
      { size: 1, step: 1 },
      { size: 7, step: 7 },
      { size: events.length, step: events.length },
      { size: 7, step: 3 },
    ];
    for (const { size, step } of cases) {
      await t.server.infra.knex.raw(`truncate ${tables}`);
      for (let from = 0; from < events.length; from += step) await apply(events.slice(from, from + size));
      expect(await snapshot(), `batches of ${size} every ${step} events`).to.deep.equal(live);
    }
  });

  it("rebuilds from zero to exactly the live tables, with the same indexes", async () => {
    const indexes = async () =>
      (await rows(`select tablename, indexname, indexdef from pg_indexes where schemaname = '${analyticsProjection.schema}' order by 1, 2`)).map((r) => Object.values(r).join(" "));
    const before = await indexes();
    await t.server.services.projections.rebuild(analyticsProjection);
    const rebuilt = await snapshot();
    expect([...rebuilt.values()].every((table) => table.length > 0)).to.equal(true);
    expect(rebuilt).to.deep.equal(live);
    expect(await indexes()).to.deep.equal(before);
  });
});
