// Notification channels through the API (issue #15, 2): one channel of each type against
// local receivers that validate each provider's documented format (providerReceivers.ts) and
// a local SMTP server (smtp-server, messages parsed with mailparser). One flow: an alert is
// raised and sent where routing says (type, minimum severity, tags), acknowledged (PagerDuty
// and Opsgenie hear of it), resolved by the renewal (PagerDuty resolves the same dedup key);
// secrets are sealed in the database and the event log and never returned; a muted domain
// sends nothing; a registration alert names the registrar.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { ManualClock } from "../../src/shared/clock.js";
import { verifySignature } from "../../src/webhooks/signature.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { startProviderReceivers, type ProviderReceivers } from "../support/providerReceivers.js";
import { startSmtpReceiver, type SmtpReceiver } from "../support/smtpReceiver.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const NOW = new Date("2026-07-01T10:00:00.000Z");
const DAY = 86_400_000;
const METRICS_TOKEN = "notifications-metrics-token";
const KEY = `k1:${randomBytes(32).toString("base64")}`;
const SECRETS = {
  smtpPassword: "smtp-pa55word-1",
  slackHook: "/slack/T000/B000/slacksecret1",
  teamsHook: "/teams/workflows/teamssecret2",
  discordHook: "/discord/api/webhooks/1/discordsecret3",
  botToken: "123456:telegramsecret4",
  routingKey: "pdroutingkeysecret5pdroutingkey5",
  genieKey: "opsgeniesecret6",
  ntfyToken: "tk_ntfysecret7",
};

describe("Notification channels (e2e, local provider receivers and SMTP server)", function () {
  this.timeout(60_000);
  const clock = new ManualClock(NOW);
  const checkers = new FakeCheckers(clock);
  let t: TestServer;
  let api: ApiClient;
  let receivers: ProviderReceivers;
  let smtp: SmtpReceiver;
  let domainId: string;
  const ids: Record<string, string> = {};
  let webhookSecret: string;

  before(async () => {
    receivers = await startProviderReceivers();
    smtp = await startSmtpReceiver({ username: "alerts", password: SECRETS.smtpPassword });
    t = await startTestServer({
      clock,
      checkers,
      env: {
        SSLTRACKR_SECRETS_KEY: KEY,
        SSLTRACKR_PUBLIC_URL: "https://ssltrackr.example.com/app/",
        SSLTRACKR_WEBHOOK_POLL_MS: "20",
        SSLTRACKR_METRICS_TOKEN: METRICS_TOKEN,
      },
    });
    api = t.client((await t.createUser()).key);
    const settings = await api.put("/alert-settings", { ssl_expiry_days: [100], domain_expiry_days: [], time_zone: "Europe/Berlin" });
    expect(settings.status, JSON.stringify(settings.body)).to.equal(200);
    const created = await api.post("/domains", { hostname: "shop.example.com", tags: ["production"] });
    domainId = created.body.id;
  });
  after(async () => {
    await t?.close();
    await receivers?.close();
    await smtp?.close();
  });

  const base = () => receivers.baseUrl;
  const create = async (name: string, type: string, config: Record<string, unknown>, routing: Record<string, unknown> = {}) => {
    const res = await api.post("/notification-channels", { type, name, config, routing });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    ids[name] = res.body.id;
    return res.body;
  };

  it("creates one channel of each type; secrets are write-only (secrets_set names them, no value is returned)", async () => {
    await create("email", "email", {
      smtp_host: "127.0.0.1",
      smtp_port: smtp.port,
      security: "none",
      username: "alerts",
      password: SECRETS.smtpPassword,
      from: "SSLTrackr <alerts@ssltrackr.example.com>",
      recipients: ["ops@example.com", "dev@example.com"],
    });
    await create("slack", "slack", { webhook_url: base() + SECRETS.slackHook });
    await create("teams", "teams", { webhook_url: base() + SECRETS.teamsHook });
    await create("discord", "discord", { webhook_url: base() + SECRETS.discordHook });
    await create("telegram", "telegram", { bot_token: SECRETS.botToken, chat_id: -100123, api_base_url: `${base()}/telegram` });
    await create("pagerduty", "pagerduty", { routing_key: SECRETS.routingKey, api_base_url: `${base()}/pagerduty` });
    await create("opsgenie", "opsgenie", { api_key: SECRETS.genieKey, api_base_url: `${base()}/opsgenie` });
    await create("ntfy", "ntfy", { server_url: `${base()}/ntfy`, topic: "ssl-alerts", access_token: SECRETS.ntfyToken });
    const webhook = await create("webhook", "webhook", { url: `${base()}/webhook` });
    webhookSecret = webhook.signing_secret;
    expect(webhookSecret).to.match(/^whsec_/);
    // Routing's neighbours: each of these must get nothing.
    await create("critical only", "slack", { webhook_url: `${base()}/slack/critical` }, { min_severity: "critical" });
    await create("staging only", "slack", { webhook_url: `${base()}/slack/staging` }, { tags: ["staging"] });
    await create("registrations only", "slack", { webhook_url: `${base()}/slack/registrations` }, { alert_types: ["domain_expiry"] });

    const list = await api.get("/notification-channels?per_page=100");
    expect(list.body.pagination.total).to.equal(12);
    const text = JSON.stringify(list.body) + JSON.stringify((await api.get(`/notification-channels/${ids["email"]}`)).body);
    for (const secret of [...Object.values(SECRETS), webhookSecret]) expect(text).not.to.contain(secret);
    const email = list.body.data.find((c: { id: string }) => c.id === ids["email"]);
    expect(email).to.deep.include({ type: "email", secrets_set: ["password"] });
    expect(email.config).to.include({ smtp_host: "127.0.0.1", username: "alerts" });
    expect(email.routing).to.deep.equal({ alert_types: [], min_severity: "info", tags: [] });
  });

  it("keeps every secret sealed (AES-256-GCM, key id k1) in the read model and in the event log", async () => {
    const { rows } = await t.db.pool.query<{ sealed_secrets: Record<string, string> }>("select sealed_secrets from notification_channels");
    const sealed = rows.flatMap((r) => Object.values(r.sealed_secrets));
    expect(sealed.length).to.be.greaterThan(8);
    for (const s of sealed) expect(s).to.match(/^v1\.k1\./);
    const stored = JSON.stringify(rows) + JSON.stringify((await t.db.pool.query("select data from eventstore.events where stream_name like 'notification_channel-%'")).rows);
    for (const secret of [SECRETS.smtpPassword, SECRETS.botToken, SECRETS.routingKey, SECRETS.genieKey, SECRETS.ntfyToken, "slacksecret1", webhookSecret]) {
      expect(stored).not.to.contain(secret);
    }
  });

  it("refuses a config that does not fit its type, and an unknown type, with a 400", async () => {
    const bad = await api.post("/notification-channels", { type: "telegram", name: "x", config: { bot_token: "nope", chat_id: "1" } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.match(/bot_token/);
    expect((await api.post("/notification-channels", { type: "pager", name: "x", config: {} })).status).to.equal(400);
    const zone = await api.put("/alert-settings", { time_zone: "Mars/Olympus_Mons" });
    expect(zone.status).to.equal(400);
    expect(zone.body.error).to.match(/time zone/);
    expect((await api.post("/notification-channels", { type: "email", name: "x", config: { smtp_host: "h", from: "a@b.c", recipients: [] } })).status).to.equal(400);
  });

  let alertId: string;
  it("sends a raised alert to every channel routing selects, each in its provider's format, with the facts", async () => {
    expect((await api.post("/check", { domain_id: domainId })).status).to.equal(200);
    const alerts = (await api.get("/alerts")).body.data;
    expect(alerts.map((a: { alert_type: string }) => a.alert_type)).to.deep.equal(["ssl_expiry"]);
    alertId = alerts[0].id;
    await receivers.waitFor((r) => r.length >= 8);
    await smtp.waitForCount(1);
    expect(receivers.refused).to.deep.equal([]);
    expect(receivers.received.map((r) => r.provider).sort()).to.deep.equal(["discord", "ntfy", "opsgenie", "pagerduty", "slack", "teams", "telegram", "webhook"]);
    expect(receivers.received.some((r) => /critical|staging|registrations/.test(r.path)), "routing filters").to.equal(false);

    // The facts: hostname, what expires and when in the user's zone (Berlin, summer: CEST), days left, issuer, link.
    const expires = new Date(NOW.getTime() + 90 * DAY);
    const local = `${expires.toISOString().slice(0, 10)} 12:00 CEST`;
    const link = `https://ssltrackr.example.com/app/domains/${domainId}`;
    const [mail] = smtp.mails;
    expect(mail!.user).to.equal("alerts");
    expect(mail!.envelopeTo).to.deep.equal(["ops@example.com", "dev@example.com"]);
    expect(mail!.parsed.subject).to.equal("SSL certificate expires in 90 days: shop.example.com");
    expect(mail!.parsed.from?.text).to.contain("alerts@ssltrackr.example.com");
    expect(mail!.parsed.headers.get("x-ssltrackr-alert")).to.equal(alertId);
    for (const part of [mail!.parsed.text!, mail!.parsed.html as string]) {
      expect(part).to.contain("shop.example.com").and.contain(local).and.contain("90 days left").and.contain("CN=Test CA").and.contain(link);
    }
    expect(mail!.parsed.text).to.contain("The certificate of shop.example.com expires");

    const slack = receivers.of("slack")[0]!.body as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(slack.text).to.equal("SSL certificate expires in 90 days: shop.example.com");
    expect(slack.blocks[1]!.text!.text).to.contain(local);
    const pd = receivers.of("pagerduty")[0]!.body as { routing_key: string; event_action: string; dedup_key: string; payload: { severity: string; source: string; custom_details: Record<string, string> } };
    expect(pd).to.deep.include({ routing_key: SECRETS.routingKey, event_action: "trigger" });
    expect(pd.payload).to.deep.include({ severity: "info", source: "shop.example.com" });
    expect(pd.payload.custom_details).to.include({ days_left: "90", issuer: "CN=Test CA", expires_at_local: local });
    expect(receivers.of("telegram")[0]!.path).to.equal(`/telegram/bot${SECRETS.botToken}/sendMessage`);
    expect(receivers.of("telegram")[0]!.body).to.include({ chat_id: "-100123", parse_mode: "HTML" });
    expect(receivers.of("opsgenie")[0]!.headers.authorization).to.equal(`GenieKey ${SECRETS.genieKey}`);
    expect(receivers.of("ntfy")[0]!.headers.authorization).to.equal(`Bearer ${SECRETS.ntfyToken}`);
    expect(receivers.of("ntfy")[0]!.body).to.include({ topic: "ssl-alerts", click: link });
    const hook = receivers.of("webhook")[0]!;
    expect(verifySignature({ secret: webhookSecret, header: hook.headers["ssltrackr-signature"] as string, body: hook.raw, now: clock.now() })).to.equal(true);
    expect(hook.body).to.include({ type: "alert.raised" });

    const log = await api.get(`/notification-channels/${ids["pagerduty"]}/deliveries`);
    expect(log.body.data.map((d: { event: string; status: string; last_status_code: number }) => [d.event, d.status, d.last_status_code])).to.deep.equal([["alert.raised", "delivered", 202]]);

    // Issue #17's delivery metrics, per channel type.
    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    for (const type of ["email", "pagerduty", "telegram"]) {
      expect(metrics).to.match(new RegExp(`ssltrackr_notification_deliveries_total\\{[^}]*channel_type="${type}"[^}]*status="delivered"[^}]*\\} [1-9]`));
    }
    expect(metrics).to.contain("ssltrackr_notification_delivery_duration_seconds_bucket");
  });

  it("tells PagerDuty, Opsgenie and the webhook of an acknowledgement, not the chat channels", async () => {
    const before = receivers.received.length;
    expect((await api.post(`/alerts/${alertId}/acknowledge`)).status).to.equal(200);
    await receivers.waitFor((r) => r.length >= before + 3);
    const acks = receivers.received.slice(before);
    expect(acks.map((r) => r.provider).sort()).to.deep.equal(["opsgenie", "pagerduty", "webhook"]);
    expect(receivers.of("pagerduty")[1]!.body).to.deep.include({ event_action: "acknowledge", dedup_key: (receivers.of("pagerduty")[0]!.body as { dedup_key: string }).dedup_key });
    expect(receivers.of("opsgenie")[1]!.path).to.match(/^\/opsgenie\/v2\/alerts\/ssltrackr-[0-9a-f]{40}\/acknowledge\?identifierType=alias$/);
  });

  it("resolves at every channel that got the alert once the certificate is renewed: PagerDuty resolves the same dedup key", async () => {
    await api.put("/alert-settings", { ssl_expiry_days: [30] });
    clock.advance(DAY);
    const before = receivers.received.length;
    expect((await api.post("/check", { domain_id: domainId })).status).to.equal(200);
    expect((await api.get("/alerts")).body.data[0]).to.include({ id: alertId, state: "resolved" });
    await receivers.waitFor((r) => r.length >= before + 8);
    await smtp.waitForCount(2);
    const [trigger, , resolve] = receivers.of("pagerduty").map((r) => r.body);
    expect(resolve).to.deep.equal({ routing_key: SECRETS.routingKey, event_action: "resolve", dedup_key: trigger!["dedup_key"] });
    expect(receivers.of("opsgenie")[2]!.path).to.equal(receivers.of("opsgenie")[1]!.path.replace("/acknowledge", "/close"));
    expect(smtp.mails[1]!.parsed.subject).to.equal("Resolved: SSL certificate expires in 90 days: shop.example.com");
    expect(smtp.mails[1]!.parsed.text).to.contain("the certificate was renewed");
    expect(receivers.refused).to.deep.equal([]);
  });

  it("sends nothing for an alert of a muted domain; a test notification still goes out, marked test", async () => {
    expect((await api.put(`/domains/${domainId}`, { muted_until: new Date(clock.now().getTime() + 7 * DAY).toISOString() })).status).to.equal(200);
    await api.put("/alert-settings", { ssl_expiry_days: [100] });
    clock.advance(DAY);
    expect((await api.post("/check", { domain_id: domainId })).status).to.equal(200);
    const newest = (await api.get("/alerts?state=open")).body.data;
    expect(newest).to.have.length(1);
    await t.server.services.projections.catchUp();
    const { rows } = await t.db.pool.query("select id from notification_deliveries where alert_id = $1", [newest[0].id]);
    expect(rows).to.deep.equal([]);

    const tested = await api.post(`/notification-channels/${ids["discord"]}/test`);
    expect(tested.status, JSON.stringify(tested.body)).to.equal(200);
    expect(tested.body).to.include({ test: true, status: "delivered", last_status_code: 204, attempts: 1 });
  });

  it("names the registrar in a registration alert, already on the domain's first registration check", async () => {
    expect((await api.put("/alert-settings", { ssl_expiry_days: [], domain_expiry_days: [365] })).status).to.equal(200);
    const mailsBefore = smtp.mails.length;
    const created = await api.post("/domains", { hostname: "registry.example.com" });
    expect(created.status).to.equal(201);
    expect((await api.post("/check", { domain_id: created.body.id })).status).to.equal(200);
    const registrations = () => receivers.received.filter((r) => r.path === "/slack/registrations");
    await receivers.waitFor(() => registrations().length > 0);
    await smtp.waitForCount(mailsBefore + 1);
    // The registration fact from checkFixtures: a year out, registrar "Test Registrar".
    const expires = `${new Date(clock.now().getTime() + 365 * DAY).toISOString().slice(0, 10)} 12:00 CEST`;
    const slack = registrations()[0]!.body as { blocks: { text?: { text: string } }[] };
    const mail = smtp.mails[mailsBefore]!.parsed;
    for (const text of [slack.blocks[1]!.text!.text, mail.text!, mail.html as string]) {
      expect(text).to.contain(`The registration of registry.example.com expires ${expires}`).and.contain("Registrar: Test Registrar").and.not.contain("Issuer");
    }
  });

  it("updates routing and keeps secrets left out; deletes a channel (404 afterwards)", async () => {
    const updated = await api.put(`/notification-channels/${ids["pagerduty"]}`, { name: "on-call", routing: { min_severity: "critical" }, config: { api_base_url: `${base()}/pagerduty` } });
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
    expect(updated.body).to.deep.include({ name: "on-call", secrets_set: ["routing_key"] });
    expect(updated.body.routing).to.deep.equal({ alert_types: [], min_severity: "critical", tags: [] });
    expect((await api.delete(`/notification-channels/${ids["ntfy"]}`)).status).to.equal(200);
    expect((await api.get(`/notification-channels/${ids["ntfy"]}`)).status).to.equal(404);
  });
});
