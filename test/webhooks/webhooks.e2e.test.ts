import { expect } from "chai";
import { verifySignature } from "../../src/webhooks/signature.js";
import { raiseAlert } from "../support/alertFixtures.js";
import { expectError, ISO_INSTANT, UUID } from "../support/apiHelpers.js";
import { eventually } from "../support/eventually.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhookReceiver.js";

/** Retries after 100 ms: four attempts in well under a second. */
const fastDelivery = {
  SSLTRACKR_WEBHOOK_RETRY_SCHEDULE: "100ms,100ms,100ms",
  SSLTRACKR_WEBHOOK_POLL_MS: "20",
  SSLTRACKR_WEBHOOK_TIMEOUT_MS: "2000",
};

describe("webhooks API (e2e)", () => {
  let t: TestServer;
  let receiver: WebhookReceiver;
  let api: ApiClient;
  let userId: string;

  before(async () => {
    t = await startTestServer({ env: fastDelivery });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver?.close();
    await t?.close();
  });
  // A user per test: alerts reach only that user's webhooks.
  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.alwaysRespond(200);
    const user = await t.createUser();
    userId = user.userId;
    api = t.client(user.key);
  });

  const createWebhook = async (body: Record<string, unknown> = {}) => {
    const res = await api.post("/webhooks", { url: receiver.url, alert_types: ["ssl_expiry"], ...body });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; secret: string };
  };
  const deliveriesOf = (webhookId: string) => api.get(`/webhooks/${webhookId}/deliveries`);
  /** The webhook's deliveries once the first listed has `status`; a timeout shows the ones last listed. */
  const deliveriesOnce = async (webhookId: string, status: string) => {
    let listed: unknown;
    return eventually(
      () => `a ${status} delivery of webhook ${webhookId} (listed: ${JSON.stringify(listed)})`,
      async () => {
        const res = await deliveriesOf(webhookId);
        listed = res.body.data;
        return res.body.data[0]?.status === status && res;
      },
      { intervalMs: 25 },
    );
  };

  describe("managing webhooks", () => {
    it("creates a webhook and returns its signing secret once", async () => {
      const res = await api.post("/webhooks", { url: receiver.url, alert_types: ["ssl_expiry", "domain_expiry"], description: "Ops" });
      expect(res.status).to.equal(201);
      expect(res.body).to.have.all.keys("id", "url", "alert_types", "description", "is_active", "created_at", "updated_at", "secret");
      expect(res.body).to.include({ url: receiver.url, description: "Ops", is_active: true });
      expect(res.body.id).to.match(UUID);
      expect(res.body.created_at).to.match(ISO_INSTANT);
      expect(res.body.alert_types).to.deep.equal(["ssl_expiry", "domain_expiry"]);
      expect(res.body.secret).to.match(/^whsec_/);

      const got = await api.get(`/webhooks/${res.body.id}`);
      expect(got.status).to.equal(200);
      expect(got.body).not.to.have.property("secret");
      const list = await api.get("/webhooks");
      expect(list.body.data.map((w: { id: string }) => w.id)).to.include(res.body.id);
      expect(JSON.stringify(list.body)).not.to.contain(res.body.secret);
      expect(list.body.pagination).to.include({ page: 1, per_page: 20 });
    });

    it("updates the given fields and deletes", async () => {
      const { id } = await createWebhook();
      const updated = await api.put(`/webhooks/${id}`, { alert_types: ["check_failed"], description: "Pager", is_active: false });
      expect(updated.status).to.equal(200);
      expect(updated.body).to.include({ description: "Pager", is_active: false, url: receiver.url });
      expect(updated.body.alert_types).to.deep.equal(["check_failed"]);

      expect((await api.delete(`/webhooks/${id}`)).body).to.deep.equal({ message: "Webhook deleted" });
      expectError(await api.get(`/webhooks/${id}`), 404, "Webhook not found");
      expectError(await api.delete(`/webhooks/${id}`), 404, "Webhook not found");
    });

    it("answers 400 with a clear message for invalid input", async () => {
      const cases: [unknown, RegExp][] = [
        [{ alert_types: ["ssl_expiry"] }, /url/],
        [{ url: "ftp://hooks.example.com/", alert_types: ["ssl_expiry"] }, /Invalid url: must use http or https/],
        [{ url: "https://u:p@hooks.example.com/", alert_types: ["ssl_expiry"] }, /Invalid url: must not contain credentials/],
        [{ url: "not a url", alert_types: ["ssl_expiry"] }, /Invalid url: must be an absolute URL/],
        [{ url: receiver.url }, /alert_types/],
        [{ url: receiver.url, alert_types: [] }, /alert_types/],
        [{ url: receiver.url, alert_types: ["ssl_expired"] }, /alert_types/],
        [{ url: receiver.url, alert_types: ["ssl_expiry"], description: "x".repeat(501) }, /description/],
        [{ url: receiver.url, alert_types: ["ssl_expiry"], secret: "mine" }, /Unknown field\(s\): secret/],
      ];
      for (const [body, message] of cases) {
        const res = await api.post("/webhooks", body);
        expectError(res, 400);
        expect(res.body.error, JSON.stringify(body)).to.match(message);
      }
      const { id } = await createWebhook();
      expectError(await api.put(`/webhooks/${id}`, { url: "gopher://x.example/" }), 400, "Invalid url: must use http or https");
      expectError(await api.get("/webhooks/not-a-uuid"), 400, "Invalid id: Webhook id must be a UUID");
      expectError(await api.get(`/webhooks/${id}/deliveries?status=lost`), 400);
    });

    it("keeps each user's webhooks to themselves: another user's webhook is 404", async () => {
      const { id } = await createWebhook();
      const other = t.client((await t.createUser()).key);
      for (const res of [
        await other.get(`/webhooks/${id}`),
        await other.put(`/webhooks/${id}`, { description: "mine now" }),
        await other.delete(`/webhooks/${id}`),
        await other.post(`/webhooks/${id}/test`),
        await other.get(`/webhooks/${id}/deliveries`),
      ]) {
        expectError(res, 404, "Webhook not found");
      }
      expect((await other.get("/webhooks")).body.data).to.deep.equal([]);
      expect((await api.get(`/webhooks/${id}`)).body.description).to.equal(null);
    });
  });

  describe("delivering alerts", () => {
    it("delivers a matching alert, signed, and retries after failures until it is accepted", async () => {
      const { id, secret } = await createWebhook();
      receiver.respondWith(500, 500, 200);
      const alert = await raiseAlert(t.server, { userId, alertType: "ssl_expiry" });
      const [first, second, third] = await receiver.waitForCount(3);

      for (const r of [first!, second!, third!]) {
        expect(r.headers["content-type"]).to.equal("application/json");
        expect(r.headers["ssltrackr-event"]).to.equal("alert.raised");
        const header = r.headers["ssltrackr-signature"] as string;
        expect(verifySignature({ secret, header, body: r.body, now: new Date() }), header).to.equal(true);
      }
      const deliveryId = first!.headers["ssltrackr-delivery"];
      expect(deliveryId).to.match(UUID);
      expect([second, third].map((r) => r!.headers["ssltrackr-delivery"])).to.deep.equal([deliveryId, deliveryId]);
      expect(third!.body).to.equal(first!.body);
      const payload = JSON.parse(first!.body);
      expect(payload).to.deep.include({ id: deliveryId, type: "alert.raised", test: false });
      expect(payload.data.alert).to.include({ id: alert.alertId, alert_type: "ssl_expiry", severity: "warning", threshold_days: 14 });
      expect(payload.data.domain).to.deep.equal({ id: alert.domainId, hostname: alert.hostname });

      const list = await deliveriesOnce(id, "delivered");
      expect(list.body.pagination.total).to.equal(1);
      const [delivery] = list.body.data;
      expect(delivery).to.include({ id: deliveryId, webhook_id: id, alert_id: alert.alertId, test: false, attempts: 3, last_status_code: 200, next_attempt_at: null, last_error: null });
      expect(delivery.delivered_at).to.match(ISO_INSTANT);
      expect(delivery.attempt_log.map((a: { status_code: number }) => a.status_code)).to.deep.equal([500, 500, 200]);
      expect(delivery.attempt_log[0].error).to.equal("receiver answered HTTP 500");
    });

    it("sends only alerts of the user's selected types, and nothing to deleted or disabled webhooks", async () => {
      const wanted = await createWebhook({ alert_types: ["grade_dropped"] });
      const disabled = await createWebhook({ alert_types: ["grade_dropped"] });
      await api.put(`/webhooks/${disabled.id}`, { is_active: false });
      const removed = await createWebhook({ alert_types: ["grade_dropped"] });
      await api.delete(`/webhooks/${removed.id}`);
      const stranger = await t.createUser();

      await raiseAlert(t.server, { userId, alertType: "certificate_changed" });
      await raiseAlert(t.server, { userId: stranger.userId, alertType: "grade_dropped" });
      await raiseAlert(t.server, { userId, alertType: "grade_dropped" });
      await receiver.waitForCount(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received).to.have.length(1);
      expect(JSON.parse(receiver.received[0]!.body).data.alert.alert_type).to.equal("grade_dropped");
      expect((await deliveriesOf(wanted.id)).body.pagination.total).to.equal(1);
      expect((await deliveriesOf(disabled.id)).body.pagination.total).to.equal(0);
    });

    it("marks a delivery dead after its last try", async () => {
      const { id } = await createWebhook({ alert_types: ["check_failed"] });
      receiver.alwaysRespond(503);
      await raiseAlert(t.server, { userId, alertType: "check_failed" });
      const list = await deliveriesOnce(id, "dead");
      expect(list.body.data[0]).to.include({ status: "dead", attempts: 4, last_status_code: 503, next_attempt_at: null, delivered_at: null });
      expect(list.body.data[0].last_error).to.equal("receiver answered HTTP 503");
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.received).to.have.length(4);
      expect((await api.get(`/webhooks/${id}/deliveries?status=dead`)).body.pagination.total).to.equal(1);
      expect((await api.get(`/webhooks/${id}/deliveries?status=pending`)).body.pagination.total).to.equal(0);
    });
  });

  describe("POST /webhooks/{id}/test", () => {
    it("sends a signed synthetic alert marked as a test and returns the outcome", async () => {
      const { id, secret } = await createWebhook({ alert_types: ["domain_expiry"] });
      const res = await api.post(`/webhooks/${id}/test`);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ webhook_id: id, test: true, status: "delivered", attempts: 1, last_status_code: 200, alert_id: null });
      expect(receiver.received).to.have.length(1);
      const [received] = receiver.received;
      expect(received!.headers["ssltrackr-delivery"]).to.equal(res.body.id);
      const header = received!.headers["ssltrackr-signature"] as string;
      expect(verifySignature({ secret, header, body: received!.body, now: new Date() })).to.equal(true);
      const payload = JSON.parse(received!.body);
      expect(payload).to.include({ test: true, type: "alert.raised" });
      expect(payload.data.alert.alert_type).to.equal("domain_expiry");
    });

    it("reports a failing receiver without retrying the test", async () => {
      const { id } = await createWebhook();
      receiver.alwaysRespond(500);
      const res = await api.post(`/webhooks/${id}/test`);
      expect(res.body).to.include({ status: "dead", attempts: 1, last_status_code: 500, last_error: "receiver answered HTTP 500" });
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received).to.have.length(1);
    });

    it("reports a receiver that cannot be reached", async () => {
      const { id } = await createWebhook();
      await api.put(`/webhooks/${id}`, { url: "http://127.0.0.1:1/hook" });
      const res = await api.post(`/webhooks/${id}/test`);
      expect(res.body).to.include({ status: "dead", attempts: 1, last_status_code: null });
      expect(res.body.last_error).to.match(/^request failed: .*ECONNREFUSED/);
    });
  });
});

describe("webhook SSRF guard (e2e)", () => {
  let t: TestServer;
  let api: ApiClient;
  before(async () => {
    t = await startTestServer({ env: { ...fastDelivery, SSLTRACKR_ALLOW_PRIVATE_TARGETS: "false" } });
    api = t.client((await t.createUser()).key);
  });
  after(async () => t?.close());

  it("refuses URLs whose host is loopback, private, link-local or otherwise non-public", async () => {
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://localhost/hook",
      "http://[::1]/hook",
      "http://10.1.2.3/hook",
      "http://169.254.169.254/latest/meta-data/",
      "https://[::ffff:192.168.0.1]/hook",
    ]) {
      const res = await api.post("/webhooks", { url, alert_types: ["ssl_expiry"] });
      expectError(res, 400);
      expect(res.body.error, url).to.match(/^Invalid url: .*non-public address/);
    }
  });

  it("refuses a private URL on update too", async () => {
    const created = await api.post("/webhooks", { url: "https://93.184.215.14/hook", alert_types: ["ssl_expiry"] });
    expect(created.status).to.equal(201);
    const res = await api.put(`/webhooks/${created.body.id}`, { url: "http://192.168.1.1/hook" });
    expectError(res, 400);
    expect(res.body.error).to.match(/non-public address 192\.168\.1\.1/);
  });
});
