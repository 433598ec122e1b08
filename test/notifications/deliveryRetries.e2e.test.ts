// Notification deliveries ride the webhook outbox (issue #15): a failed attempt is retried on
// the schedule, a delivery that fails its last try is dead, and every attempt is in the
// channel's delivery log with the receiver's answer.
import { expect } from "chai";
import { raiseAlert } from "../support/alertFixtures.js";
import { eventually } from "../support/eventually.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhookReceiver.js";

describe("Notification delivery retries (e2e)", function () {
  this.timeout(30_000);
  let t: TestServer;
  let api: ApiClient;
  let userId: string;
  let receiver: WebhookReceiver;
  let channelId: string;

  before(async () => {
    receiver = await startWebhookReceiver("/slack/T1/B1/x");
    t = await startTestServer({ env: { SSLTRACKR_WEBHOOK_POLL_MS: "20", SSLTRACKR_WEBHOOK_RETRY_SCHEDULE: "300ms", SSLTRACKR_SECRETS_KEY: `k1:${Buffer.alloc(32, 3).toString("base64")}` } });
    const user = await t.createUser();
    userId = user.userId;
    api = t.client(user.key);
    const created = await api.post("/notification-channels", { type: "slack", name: "ops", config: { webhook_url: receiver.url } });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    channelId = created.body.id;
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
  });

  const deliveryOf = async (alertId: string, until: (d: { status: string }) => boolean) => {
    let seen: unknown;
    return eventually(
      () => `delivery of ${alertId}: ${JSON.stringify(seen)}`,
      async () => {
        const page = await api.get(`/notification-channels/${channelId}/deliveries?per_page=100`);
        const d = page.body.data.find((x: { alert_id: string }) => x.alert_id === alertId);
        seen = d;
        return d && until(d) && d;
      },
      { intervalMs: 50 },
    );
  };

  it("retries a failed attempt on the schedule and records both attempts", async () => {
    receiver.respondWith(503);
    const alert = await raiseAlert(t.server, { userId });
    const d = await deliveryOf(alert.alertId, (x) => x.status === "delivered");
    expect(d).to.include({ event: "alert.raised", attempts: 2, last_status_code: 200, last_error: null, next_attempt_at: null });
    expect(d.attempt_log.map((a: { status_code: number }) => a.status_code)).to.deep.equal([503, 200]);
  });

  it("gives up after the last try: the delivery is dead, its errors logged", async () => {
    receiver.alwaysRespond(500);
    const alert = await raiseAlert(t.server, { userId });
    const d = await deliveryOf(alert.alertId, (x) => x.status === "dead");
    expect(d).to.include({ attempts: 2, last_status_code: 500, last_error: "receiver answered HTTP 500", next_attempt_at: null });
    expect((await api.get(`/notification-channels/${channelId}/deliveries?status=dead`)).body.data.map((x: { alert_id: string }) => x.alert_id)).to.deep.equal([alert.alertId]);
    receiver.alwaysRespond(200);
  });
});
