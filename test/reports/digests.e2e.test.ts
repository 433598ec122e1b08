// E-mail digests (issue #15, 3) end to end: settings through the API (validated: the channel
// must be the caller's and of type email), checks from fake checkers, a local SMTP server that
// receives and parses the digests. The user's zone is America/Los_Angeles and the digest is
// daily at 08:00 there, which is 16:00 UTC in winter: nothing goes out before, one digest per
// user and day after, however many processes claim it at once (two servers' runners plus the
// peer's scheduler leader, all on one database). A user without an enabled digest gets
// nothing; an empty digest goes out only with send_when_empty. A weekly digest in Tokyo
// (Thursday 07:00 there, Wednesday 22:00 UTC) goes out once per Tokyo week, on its day and hour.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import type { RunningServer } from "../../src/app/server.js";
import { ManualClock } from "../../src/shared/clock.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from "../support/smtpReceiver.js";
import { startPeerServer, startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

/** Monday 30 November 2026, 10:00 UTC = 02:00 in Los Angeles (PST, UTC-8). */
const NOW = new Date("2026-11-30T10:00:00.000Z");
const SMTP = { username: "digests", password: "smtp-pa55word-digest" };
const BASE_URL = "https://ssltrackr.example.com/app";

describe("E-mail digests (e2e, local SMTP server, two processes)", function () {
  this.timeout(60_000);
  const clock = new ManualClock(NOW);
  const checkers = new FakeCheckers(clock);
  const env = {
    SSLTRACKR_SECRETS_KEY: `k1:${randomBytes(32).toString("base64")}`,
    SSLTRACKR_PUBLIC_URL: BASE_URL,
    SSLTRACKR_WEBHOOK_POLL_MS: "20",
    // Nothing is due for a recheck while the clock moves a day: the checks stay as made at NOW.
    SSLTRACKR_SSL_INTERVAL_HOURS: "1000",
    SSLTRACKR_WHOIS_INTERVAL_HOURS: "1000",
  };
  let t: TestServer;
  let peer: RunningServer;
  let smtp: SmtpReceiver;
  const users: Record<string, { api: ApiClient; channelId: string }> = {};

  /** A user with an email channel whose only recipient is `<name>@example.com`. */
  const user = async (name: string) => {
    const api = t.client((await t.createUser()).key);
    expect((await api.put("/alert-settings", { time_zone: "America/Los_Angeles", ssl_expiry_days: [100], check_failed_after: 1 })).status).to.equal(200);
    const channel = await api.post("/notification-channels", {
      type: "email",
      name: `${name} mail`,
      // Alerts go elsewhere: this channel's mail is the digest only.
      routing: { alert_types: ["ssl_revoked"] },
      config: { smtp_host: "127.0.0.1", smtp_port: smtp.port, security: "none", ...SMTP, from: "SSLTrackr <digest@ssltrackr.example.com>", recipients: [`${name}@example.com`] },
    });
    expect(channel.status, JSON.stringify(channel.body)).to.equal(201);
    users[name] = { api, channelId: channel.body.id };
    return users[name];
  };

  const daily = { enabled: true, frequency: "daily", hour: 8, within_days: 100 };
  const mailsTo = (name: string): ReceivedMail[] => smtp.mails.filter((m) => m.envelopeTo.includes(`${name}@example.com`));
  /** Both servers' runners at once, and the peer's scheduler ticking besides. */
  const runBoth = () => Promise.all([t.server.services.digests.run(), peer.services.digests.run()]);
  const digestRows = async () => (await t.server.infra.knex("notification_deliveries").where({ event_type: "digest" }).count<{ count: string }[]>("id as count"))[0]!.count;
  /** Lets deliveries queued so far be sent (the outbox is polled every 20 ms). */
  const settle = () => new Promise((r) => setTimeout(r, 600));

  before(async () => {
    smtp = await startSmtpReceiver(SMTP);
    t = await startTestServer({ clock, checkers, env });
    peer = await startPeerServer(t.db.url, { clock, checkers, env: { ...env, SSLTRACKR_SCHEDULER: "true", SSLTRACKR_SCHEDULER_TICK_SECONDS: "1" } });
  });
  after(async () => {
    await peer?.close();
    await t?.close();
    await smtp?.close();
  });

  it("settings default to off; PUT validates the channel (exists, is the caller's, sends e-mail) and the ranges", async () => {
    const { api } = await user("alice");
    const other = await user("bob");
    expect((await api.get("/digest-settings")).body).to.deep.equal({
      enabled: false,
      frequency: "weekly",
      weekday: 1,
      hour: 8,
      within_days: 30,
      send_when_empty: false,
      channel_id: null,
    });
    const slack = await api.post("/notification-channels", { type: "slack", name: "chat", config: { webhook_url: "http://127.0.0.1:9/slack" } });
    expect(slack.status).to.equal(201);
    const refused = [
      [{ ...daily }, /enabled digest needs/],
      [{ ...daily, channel_id: "00000000-0000-4000-8000-000000000000" }, /no such notification channel/],
      [{ ...daily, channel_id: other.channelId }, /no such notification channel/],
      [{ ...daily, channel_id: slack.body.id }, /type slack/],
      [{ hour: 24 }, /hour/],
      [{ within_days: 366 }, /within_days/],
      [{ weekday: 0 }, /weekday/],
      [{ frequency: "hourly" }, /frequency/],
      [{ extra: true }, /extra/],
    ] as const;
    for (const [body, error] of refused) {
      const res = await api.put("/digest-settings", body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error).to.match(error);
    }
    expect((await api.get("/digest-settings")).body.enabled).to.equal(false);

    const saved = await api.put("/digest-settings", { ...daily, channel_id: users["alice"]!.channelId });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(200);
    expect(saved.body).to.deep.equal({ ...daily, weekday: 1, send_when_empty: false, channel_id: users["alice"]!.channelId });
    // Partial: the rest is kept.
    expect((await api.put("/digest-settings", { weekday: 3 })).body).to.include({ enabled: true, hour: 8, weekday: 3 });
  });

  it("sets the scene: alice and bob watch domains (one failing), carol and dave watch none", async () => {
    checkers.failing.add("down.example.com");
    for (const name of ["alice", "bob"]) {
      for (const hostname of ["shop.example.com", "down.example.com"]) {
        const created = await users[name]!.api.post("/domains", { hostname });
        expect(created.status).to.equal(201);
        expect((await users[name]!.api.post("/check", { domain_id: created.body.id })).status).to.equal(200);
      }
    }
    // bob's digest stays off; carol's is on but would be empty; dave asks for empty digests too.
    const carol = await user("carol");
    expect((await carol.api.put("/digest-settings", { ...daily, channel_id: carol.channelId })).status).to.equal(200);
    const dave = await user("dave");
    expect((await dave.api.put("/digest-settings", { ...daily, send_when_empty: true, channel_id: dave.channelId })).status).to.equal(200);
  });

  it("sends nothing before 08:00 in Los Angeles (16:00 UTC), though it is long past 08:00 UTC", async () => {
    for (const at of ["2026-11-30T10:00:00Z", "2026-11-30T15:59:59Z"]) {
      clock.set(new Date(at));
      expect(await runBoth()).to.deep.equal([0, 0]);
    }
    await settle();
    expect(smtp.mails).to.have.length(0);
    expect(await digestRows()).to.equal("0");
  });

  it("at 08:00 there, queues each due digest once across both processes; alice's and dave's are sent, carol's (empty) and bob's (off) are not", async () => {
    clock.set(new Date("2026-11-30T16:00:00Z"));
    const [a, b] = await runBoth();
    // Three periods to claim (alice, carol, dave); the peer's scheduler may have taken some.
    expect(a + b).to.be.at.most(3);
    await runBoth();
    const runs = await t.server.infra.knex("digest_runs").select("user_id", "period_key", "delivery_id");
    expect(runs.map((r) => r.period_key)).to.deep.equal(["2026-11-30", "2026-11-30", "2026-11-30"]);
    expect(runs.filter((r) => r.delivery_id === null)).to.have.length(1);
    await smtp.waitForCount(2);
    await settle();
    expect(smtp.mails).to.have.length(2);
    expect(await digestRows()).to.equal("2");
    expect(mailsTo("alice")).to.have.length(1);
    expect(mailsTo("dave")).to.have.length(1);
    expect(mailsTo("bob").concat(mailsTo("carol"))).to.have.length(0);
  });

  it("alice's digest states the facts in both parts: hostnames, days left, dates in her zone, failing checks, open alerts, links", async () => {
    const [mail] = mailsTo("alice");
    const parsed = mail!.parsed;
    expect(mail!.user).to.equal("digests");
    expect(parsed.subject).to.equal("SSLTrackr digest: 1 expiring, 2 failing checks, 3 open alerts");
    expect(parsed.from?.text).to.contain("digest@ssltrackr.example.com");
    expect(parsed.headers.get("x-ssltrackr-event")).to.equal("digest");
    expect(parsed.headers.get("x-ssltrackr-digest")).to.equal("2026-11-30");
    const shop = (await users["alice"]!.api.get("/domains?per_page=10")).body.data.find((d: { hostname: string }) => d.hostname === "shop.example.com");
    // Checked at 10:00 UTC: the certificate ends 90 days later (02:00 in LA), 89 whole days after 16:00 UTC.
    const certificate = "shop.example.com: certificate expires 2027-02-28 02:00 GMT-8 (89 days left), issuer CN=Test CA, grade A";
    const registration = "shop.example.com: registration expires 2027-11-30 02:00 GMT-8";
    const html = parsed.html as string;
    for (const part of [parsed.text!, html]) {
      expect(part).to.contain(certificate).and.contain("down.example.com: SSL check failing since 2026-11-30 02:00 GMT-8").and.contain("Your SSLTrackr digest of 2026-11-30 08:00 GMT-8");
      expect(part).to.contain(`${BASE_URL}/domains/${shop.id}`);
      // A year out, beyond within_days (100).
      expect(part).to.not.contain(registration);
    }
    expect(parsed.text).to.contain("Expiring within 100 days");
    expect(html).to.contain("<h3>Failing checks</h3>").and.contain("<li>");
  });

  it("dave's empty digest says there is nothing to report", () => {
    const [mail] = mailsTo("dave");
    expect(mail!.parsed.subject).to.equal("SSLTrackr digest: nothing expires within 100 days");
    expect(mail!.parsed.text).to.contain("Nothing expires within 100 days, no check is failing and no alert is open.");
  });

  it("the digest is in the channel's delivery log", async () => {
    const res = await users["alice"]!.api.get(`/notification-channels/${users["alice"]!.channelId}/deliveries`);
    expect(res.status).to.equal(200);
    const digests = res.body.data.filter((d: { event: string }) => d.event === "digest");
    expect(digests).to.have.length(1);
    expect(digests[0]).to.include({ status: "delivered", alert_id: null, test: false, attempts: 1 });
  });

  it("sends no second digest that day, and the next one from 08:00 the next day (the peer's scheduler leader alone queues it)", async () => {
    for (const at of ["2026-11-30T23:00:00Z", "2026-12-01T07:59:00Z", "2026-12-01T15:59:00Z"]) {
      clock.set(new Date(at));
      await runBoth();
    }
    await settle();
    expect(smtp.mails).to.have.length(2);
    clock.set(new Date("2026-12-01T16:00:00Z"));
    // No runner called here: the scheduler ticks every second in the peer.
    await smtp.waitForCount(4, 15_000);
    await settle();
    expect(mailsTo("alice").map((m) => m.parsed.headers.get("x-ssltrackr-digest"))).to.deep.equal(["2026-11-30", "2026-12-01"]);
    expect(mailsTo("dave")).to.have.length(2);
    expect(mailsTo("bob").concat(mailsTo("carol"))).to.have.length(0);
  });

  it("a digest whose channel was deleted since is not sent; the others still are", async () => {
    const dave = users["dave"]!;
    expect((await dave.api.delete(`/notification-channels/${dave.channelId}`)).status).to.equal(200);
    clock.set(new Date("2026-12-02T16:00:00Z"));
    await runBoth();
    await smtp.waitForCount(5);
    await settle();
    expect(mailsTo("alice")).to.have.length(3);
    expect(mailsTo("dave")).to.have.length(2);
    // Its settings now name a channel that is gone: PUT refuses to keep it enabled.
    const res = await dave.api.put("/digest-settings", { hour: 9 });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.match(/no such notification channel/);
  });

  it("a weekly digest in Tokyo goes out once a week, from Thursday 07:00 there (Wednesday 22:00 UTC), keyed by the Tokyo ISO week", async () => {
    const erin = await user("erin");
    expect((await erin.api.put("/alert-settings", { time_zone: "Asia/Tokyo" })).status).to.equal(200);
    const weekly = { enabled: true, frequency: "weekly", weekday: 4, hour: 7, send_when_empty: true, channel_id: erin.channelId };
    expect((await erin.api.put("/digest-settings", weekly)).status).to.equal(200);
    const weeksSent = () => mailsTo("erin").map((m) => m.parsed.headers.get("x-ssltrackr-digest"));
    /** Moves the clock to each instant and runs both processes' runners there (the peer's scheduler ticks besides). */
    const runAt = async (...instants: string[]) => {
      for (const at of instants) {
        clock.set(new Date(at));
        await runBoth();
      }
    };

    // Thursday 06:59 in Tokyo, though it is only Wednesday in UTC.
    await runAt("2026-12-02T21:59:00Z");
    await settle();
    expect(weeksSent()).to.deep.equal([]);
    await runAt("2026-12-02T22:00:00Z");
    await smtp.waitFor("erin's digest", () => mailsTo("erin").length === 1);
    const [mail] = mailsTo("erin");
    expect(mail!.parsed.headers.get("x-ssltrackr-digest")).to.equal("2026-W49");
    expect(mail!.parsed.text).to.contain("Your SSLTrackr digest of 2026-12-03 07:00 GMT+9");
    // The rest of her week: Thursday 07:00 UTC (where a UTC reading would be due), Sunday 23:59 in Tokyo.
    await runAt("2026-12-03T07:00:00Z", "2026-12-04T22:00:00Z", "2026-12-06T14:59:00Z");
    // Monday 00:00 in Tokyo opens week 50, not due before its Thursday 07:00.
    await runAt("2026-12-06T15:00:00Z", "2026-12-09T21:59:00Z");
    await settle();
    expect(weeksSent()).to.deep.equal(["2026-W49"]);
    await runAt("2026-12-09T22:00:00Z");
    await smtp.waitFor("erin's second digest", () => mailsTo("erin").length === 2);
    await settle();
    expect(weeksSent()).to.deep.equal(["2026-W49", "2026-W50"]);
  });
});
