// At-least-once delivery: a delivery queued by the projection is sent even if the worker that
// claimed it dies, or the process stops before sending; replays queue nothing twice; and the
// SSRF guard is applied again at delivery time.
import { expect } from "chai";
import { webhooksProjection } from "../../projections/webhooks.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { ManualClock, systemClock, type Clock } from "../../src/shared/clock.js";
import { DeliveryQueue } from "../../src/webhooks/deliveryQueue.js";
import { DeliveryWorker, type DeliveryWorkerOptions } from "../../src/webhooks/deliveryWorker.js";
import { raiseAlert } from "../support/alertFixtures.js";
import { startPeerServer, startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhookReceiver.js";

const REBIND_HOST = "hooks.rebind.test";

describe("webhook delivery recovery (e2e)", () => {
  let t: TestServer;
  let receiver: WebhookReceiver;
  let queue: DeliveryQueue;

  const worker = (options: Partial<DeliveryWorkerOptions> = {}, clock: Clock = systemClock) =>
    new DeliveryWorker(queue, clock, createLogger("silent"), {
      owner: "test-worker",
      policy: { allowPrivate: true },
      timeoutMs: 2000,
      retryDelaysMs: [60_000],
      pollIntervalMs: 20,
      ...options,
    });

  before(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestServer({ env: { SSLTRACKR_RESOLVE: `${REBIND_HOST}=127.0.0.1` } });
    // The server's own worker is stopped: each test decides which worker sends what.
    await t.server.services.webhooks.worker.stop();
    queue = new DeliveryQueue(t.server.infra.knex);
  });
  after(async () => {
    await receiver?.close();
    await t?.close();
  });

  let api: ApiClient;
  let userId: string;
  beforeEach(async () => {
    receiver.received.length = 0;
    const user = await t.createUser();
    userId = user.userId;
    api = t.client(user.key);
  });

  // A worker claims every due delivery: none may outlive the test that queued it.
  afterEach(async () => {
    await t.db.pool.query("update webhook_deliveries set status = 'cancelled' where status = 'pending'");
  });

  const webhookFor = async (url = receiver.url) => {
    const res = await api.post("/webhooks", { url, alert_types: ["ssl_expiry"] });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  };
  const onlyDelivery = async (webhookId: string) => {
    const { body } = await api.get(`/webhooks/${webhookId}/deliveries`);
    expect(body.pagination.total).to.equal(1);
    return body.data[0];
  };

  it("sends a delivery whose worker died mid-attempt once its lease expires", async () => {
    const webhookId = await webhookFor();
    await raiseAlert(t.server, { userId });
    // A worker claims the delivery and "dies": it never sends or records anything.
    const claimed = await queue.claimDue("dying-worker", new Date(), 60_000, 10);
    expect(claimed.map((d) => d.webhook_id)).to.deep.equal([webhookId]);

    const clock = new ManualClock(new Date());
    const survivor = worker({}, clock);
    expect(await survivor.runOnce(), "leased to the dead worker").to.equal(0);
    clock.advance(60_001);
    expect(await survivor.runOnce()).to.equal(1);

    expect(receiver.received).to.have.length(1);
    expect(receiver.received[0]!.headers["ssltrackr-delivery"]).to.equal(claimed[0]!.id);
    expect(await onlyDelivery(webhookId)).to.include({ id: claimed[0]!.id, status: "delivered", attempts: 1 });
  });

  it("sends a queued delivery after a restart: another process's worker picks it up", async () => {
    const webhookId = await webhookFor();
    await raiseAlert(t.server, { userId });
    expect(await onlyDelivery(webhookId)).to.include({ status: "pending", attempts: 0 });
    const peer = await startPeerServer(t.db.url);
    try {
      await receiver.waitForCount(1);
    } finally {
      await peer.close();
    }
    expect(await onlyDelivery(webhookId)).to.include({ status: "delivered", attempts: 1 });
  });

  it("queues nothing twice when the projection replays the alert", async () => {
    const webhookId = await webhookFor();
    await raiseAlert(t.server, { userId });
    expect(await worker().runOnce()).to.equal(1);
    await t.server.services.projections.rebuild(webhooksProjection);
    expect((await api.get(`/webhooks/${webhookId}`)).status, "rebuilt from the events").to.equal(200);
    expect(await worker().runOnce()).to.equal(0);
    expect(receiver.received).to.have.length(1);
    expect(await onlyDelivery(webhookId)).to.include({ status: "delivered", attempts: 1 });
  });

  it("refuses at delivery time a target that now resolves to a private address, without a request", async () => {
    // Saved while private targets were allowed; the worker's policy no longer allows them.
    const webhookId = await webhookFor(`http://${REBIND_HOST}:${receiver.port}/hooks`);
    await raiseAlert(t.server, { userId });
    const strict = worker({ policy: { allowPrivate: false, resolveOverrides: new Map([[REBIND_HOST, ["127.0.0.1"]]]) } });
    expect(await strict.runOnce()).to.equal(1);

    expect(receiver.received).to.have.length(0);
    const delivery = await onlyDelivery(webhookId);
    expect(delivery).to.include({ status: "pending", attempts: 1, last_status_code: null });
    expect(delivery.last_error).to.match(/^refused target, not sent: .*non-public address 127\.0\.0\.1/);
    expect(Date.parse(delivery.next_attempt_at)).to.be.above(Date.now() + 30_000);
  });

  it("cancels pending deliveries of a deleted webhook", async () => {
    const webhookId = await webhookFor();
    await raiseAlert(t.server, { userId });
    const before = await onlyDelivery(webhookId);
    await api.delete(`/webhooks/${webhookId}`);
    expect(await worker().runOnce()).to.equal(1);
    expect(receiver.received).to.have.length(0);
    const { rows } = await t.db.pool.query("select status, last_error from webhook_deliveries where id = $1", [before.id]);
    expect(rows[0]).to.deep.equal({ status: "cancelled", last_error: "webhook was deleted" });
  });
});
