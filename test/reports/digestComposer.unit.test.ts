// The digest's wording without a database: both parts carry the same facts (hostnames, what
// expires, the date in the user's time zone, days left), sections in order and soonest first,
// links only with a base URL, every stored string escaped in the HTML part, the empty digest.
import { expect } from "chai";
import { composeDigest, type DigestAlert, type DigestInput } from "../../src/reports/digestComposer.js";
import type { ExpiringItem, ExpiringReport, FailingCheck } from "../../src/reports/expiringReport.js";

const GENERATED = "2026-11-30T16:00:00.000Z";
const ID = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

const item = (n: number, overrides: Partial<ExpiringItem>): ExpiringItem => ({
  domain_id: ID(n),
  hostname: `host${n}.example`,
  port: 443,
  tags: [],
  what: "certificate",
  expires_at: "2026-12-10T10:00:00.000Z",
  days_remaining: 9,
  lapsed: false,
  subject: "CN=leaf",
  issuer: "CN=Test CA",
  registrar: null,
  grade: "A",
  ...overrides,
});

const failing: FailingCheck = {
  domain_id: ID(3),
  hostname: "down.example",
  port: 443,
  tags: [],
  check: "ssl",
  checked_at: "2026-11-30T09:30:00.000Z",
  reason: "timeout",
  message: "no answer within 10000 ms",
};

const alert = (n: number, overrides: Partial<DigestAlert>): DigestAlert => ({
  domain_id: ID(n),
  hostname: `host${n}.example`,
  alert_type: "ssl_expiry",
  severity: "warning",
  title: "SSL certificate expires in 14 days",
  triggered_at: "2026-11-29T10:00:00.000Z",
  state: "open",
  ...overrides,
});

const report = (expiring: ExpiringItem[], failing_checks: FailingCheck[] = [], within_days = 30): ExpiringReport => ({
  generated_at: GENERATED,
  within_days,
  expiring,
  failing_checks,
});

const input = (overrides: Partial<DigestInput> = {}): DigestInput => ({
  report: report(
    [
      item(1, { days_remaining: 2, expires_at: "2026-12-03T07:30:00.000Z" }),
      item(2, { what: "registration", days_remaining: 20, expires_at: "2026-12-21T00:00:00.000Z", issuer: null, grade: null, registrar: "Test Registrar" }),
    ],
    [failing],
  ),
  alerts: [
    alert(4, { alert_type: "check_failed", title: "SSL check failing", triggered_at: "2026-11-30T09:30:00.000Z", state: "acknowledged", hostname: "down.example" }),
    alert(5, { alert_type: "grade_dropped", title: "Grade dropped from A to C", severity: "warning", hostname: "weak.example" }),
  ],
  timeZone: "America/Los_Angeles",
  baseUrl: "https://ssltrackr.example.com/app/",
  ...overrides,
});

describe("digest composer (unit)", () => {
  it("states each expiry in both parts: hostname, what, the local date and zone, days left, issuer or registrar", () => {
    const mail = composeDigest(input());
    expect(mail.empty).to.equal(false);
    expect(mail.subject).to.equal("SSLTrackr digest: 2 expiring, 1 failing check, 2 open alerts");
    const cert = "host1.example: certificate expires 2026-12-02 23:30 GMT-8 (2 days left), issuer CN=Test CA, grade A";
    const registration = "host2.example: registration expires 2026-12-20 16:00 GMT-8 (20 days left), registrar Test Registrar";
    for (const part of [mail.text, mail.html]) expect(part).to.contain(cert).and.contain(registration);
    // Soonest first, then the sections in order.
    const order = ["Expiring within 30 days", cert, registration, "Grade drops", "weak.example: Grade dropped from A to C", "Failing checks", "down.example: SSL check failing since 2026-11-30 01:30 GMT-8", "Other open alerts", "acknowledged"];
    const positions = order.map((s) => mail.text.indexOf(s));
    expect(positions).to.not.include(-1);
    expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
    expect(mail.text).to.contain("Your SSLTrackr digest of 2026-11-30 08:00 GMT-8.");
  });

  it("links each domain when a base URL is set (no double slash), and not at all without one", () => {
    const link = `https://ssltrackr.example.com/app/domains/${ID(1)}`;
    const mail = composeDigest(input());
    expect(mail.text).to.contain(`\n  ${link}`);
    expect(mail.html).to.contain(`<a href="${link}">Open host1.example</a>`);
    const plain = composeDigest(input({ baseUrl: null }));
    expect(plain.text).to.not.contain("https://");
    expect(plain.html).to.not.contain("<a ");
  });

  it("counts days past and lapsed registrations in words", () => {
    const mail = composeDigest(
      input({
        report: report([
          item(1, { days_remaining: -3, expires_at: "2026-11-27T10:00:00.000Z" }),
          item(2, { what: "registration", lapsed: true, days_remaining: -1, issuer: null, registrar: null, grade: null }),
          item(6, { days_remaining: 1, port: 8443 }),
        ]),
        alerts: [],
      }),
    );
    expect(mail.text).to.contain("host1.example: certificate expires 2026-11-27 02:00 GMT-8 (expired 3 days ago)");
    expect(mail.text).to.contain("host2.example: registration expires 2026-12-10 02:00 GMT-8 (lapsed)");
    expect(mail.text).to.contain("host6.example:8443: certificate expires 2026-12-10 02:00 GMT-8 (1 day left)");
    expect(mail.subject).to.equal("SSLTrackr digest: 3 expiring");
  });

  it("escapes what comes from outside (messages, titles, issuers) in the HTML part and keeps it verbatim in the text", () => {
    const hostile = `<script>alert("x")</script> & 'q'`;
    const mail = composeDigest(
      input({
        report: report([item(1, { issuer: hostile })], [{ ...failing, message: hostile }]),
        alerts: [alert(5, { alert_type: "grade_dropped", title: hostile })],
      }),
    );
    expect(mail.html).to.not.contain("<script>");
    expect(mail.html).to.contain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(mail.text.split(hostile)).to.have.length(4);
  });

  it("an empty digest says so and is marked empty; one open alert alone is not empty", () => {
    const empty = composeDigest(input({ report: report([], [], 7), alerts: [] }));
    expect(empty.empty).to.equal(true);
    expect(empty.subject).to.equal("SSLTrackr digest: nothing expires within 7 days");
    const says = "Nothing expires within 7 days, no check is failing and no alert is open.";
    expect(empty.text).to.contain(says);
    expect(empty.html).to.contain(says);
    expect(empty.html).to.not.contain("<ul>");

    const oneAlert = composeDigest(input({ report: report([], [], 7), alerts: [alert(1, {})] }));
    expect(oneAlert.empty).to.equal(false);
    expect(oneAlert.subject).to.equal("SSLTrackr digest: 1 open alert");
    expect(oneAlert.text).to.contain("Other open alerts\n- host1.example: SSL certificate expires in 14 days (warning, since 2026-11-29 02:00 GMT-8)");
  });
});
