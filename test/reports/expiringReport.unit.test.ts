// The expiry report's rules, without a database: the window counted in whole days as the alert
// thresholds count them, expired items kept, a lapsed registration listed as an expiry (never
// as a failing check), soonest first, and the CSV records.
import { expect } from "chai";
import { assembleReport, reportRecords, REPORT_CSV_COLUMNS, type ReportRow } from "../../src/reports/expiringReport.js";
import { DAY_MS } from "../../src/shared/clock.js";

const NOW = new Date("2030-06-15T12:00:00Z");
const at = (days: number, hours = 0) => new Date(NOW.getTime() + days * DAY_MS + hours * 3_600_000);

const row = (hostname: string, overrides: Partial<ReportRow> = {}): ReportRow => ({
  id: `00000000-0000-4000-8000-${hostname.length.toString().padStart(12, "0")}`,
  hostname,
  port: 443,
  tags: [],
  ssl_grade: "A",
  ssl_earliest_expiry: null,
  whois_expiry: null,
  whois_lapsed: false,
  ssl_check_failed: false,
  whois_check_failed: false,
  ssl_subject: "CN=leaf",
  ssl_issuer: "CN=Issuing CA",
  registrar: "Registrar Inc",
  ssl_failure: null,
  whois_failure: null,
  ...overrides,
});

const listed = (rows: ReportRow[], within: number) => assembleReport(rows, NOW, within).expiring.map((i) => `${i.hostname} ${i.what} ${i.days_remaining}`);

describe("expiry report (unit)", () => {
  it("includes N whole days remaining and not N+1, whatever the hour", () => {
    const rows = [row("edge.example", { ssl_earliest_expiry: at(30, 23) }), row("next.example", { ssl_earliest_expiry: at(31) })];
    expect(listed(rows, 30)).to.deep.equal(["edge.example certificate 30"]);
  });

  it("keeps what has expired, soonest first, certificates and registrations together", () => {
    const rows = [
      row("a.example", { ssl_earliest_expiry: at(12), whois_expiry: at(3) }),
      row("b.example", { ssl_earliest_expiry: at(-2, -1) }),
      row("c.example", { whois_expiry: at(12, 5) }),
    ];
    expect(listed(rows, 30)).to.deep.equal(["b.example certificate -3", "a.example registration 3", "a.example certificate 12", "c.example registration 12"]);
  });

  it("0 days: only what has expired or expires within the day", () => {
    const rows = [row("today.example", { ssl_earliest_expiry: at(0, 5) }), row("tomorrow.example", { ssl_earliest_expiry: at(1, 1) })];
    expect(listed(rows, 0)).to.deep.equal(["today.example certificate 0"]);
  });

  it("a lapsed registration is an expiry (at its last known date, never ahead), not a failing check", () => {
    const lapsed = row("lapsed.example", {
      whois_expiry: at(200),
      whois_lapsed: true,
      whois_check_failed: true,
      whois_failure: { reason: "not_found", message: "No such domain", checked_at: NOW },
    });
    const report = assembleReport([lapsed], NOW, 30);
    expect(report.expiring).to.have.length(1);
    expect(report.expiring[0]).to.include({ what: "registration", lapsed: true, days_remaining: -1, registrar: "Registrar Inc" });
    expect(report.failing_checks).to.deep.equal([]);
  });

  it("a not_found without a registration seen before is a failing check", () => {
    const never = row("never.example", { whois_lapsed: true, whois_check_failed: true, whois_failure: { reason: "not_found", message: "No such domain", checked_at: NOW } });
    const report = assembleReport([never], NOW, 30);
    expect(report.expiring).to.deep.equal([]);
    expect(report.failing_checks.map((f) => [f.hostname, f.check, f.reason])).to.deep.equal([["never.example", "whois", "not_found"]]);
  });

  it("failing checks by hostname, each kind its own line; certificate fields only on certificates", () => {
    const failure = { reason: "timeout", message: "Timed out", checked_at: NOW };
    const report = assembleReport(
      [row("z.example", { ssl_check_failed: true, ssl_failure: failure }), row("a.example", { ssl_check_failed: true, ssl_failure: failure, whois_check_failed: true, whois_failure: failure, whois_expiry: at(5) })],
      NOW,
      30,
    );
    expect(report.failing_checks.map((f) => `${f.hostname} ${f.check}`)).to.deep.equal(["a.example ssl", "a.example whois", "z.example ssl"]);
    expect(report.expiring[0]).to.include({ what: "registration", subject: null, issuer: null, grade: null, registrar: "Registrar Inc" });
  });

  it("CSV records: a header, then a line per item with its section; tags joined with ;", () => {
    const report = assembleReport(
      [row("csv.example", { tags: ["prod", "eu west"], ssl_earliest_expiry: at(5), ssl_check_failed: true, ssl_failure: { reason: "timeout", message: "Timed, out", checked_at: NOW } })],
      NOW,
      30,
    );
    const [header, expiring, failing] = reportRecords(report);
    expect(header).to.deep.equal([...REPORT_CSV_COLUMNS]);
    const field = (record: (string | number)[] | undefined, name: (typeof REPORT_CSV_COLUMNS)[number]) => record?.[REPORT_CSV_COLUMNS.indexOf(name)];
    expect([field(expiring, "section"), field(expiring, "tags"), field(expiring, "days_remaining"), field(expiring, "check")]).to.deep.equal(["expiring", "prod;eu west", 5, ""]);
    expect([field(failing, "section"), field(failing, "check"), field(failing, "message")]).to.deep.equal(["failing_check", "ssl", "Timed, out"]);
  });
});
