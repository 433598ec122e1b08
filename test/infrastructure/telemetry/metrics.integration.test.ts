// The service's metrics reach an OpenTelemetry SDK registered after the app's modules were
// loaded (as the NodeSDK is at start-up): request latency, checks, projection lag, webhook
// deliveries and the scheduler's backlog.
import { metrics } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { expect } from "chai";
import { systemClock } from "../../../src/shared/clock.js";
import { FakeCheckers } from "../../support/checkFixtures.js";
import { startTestServer, type TestServer } from "../../support/testServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhookReceiver.js";

describe("OpenTelemetry metrics (integration)", () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  let provider: MeterProvider;
  let t: TestServer;
  let receiver: WebhookReceiver;

  before(async () => {
    provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    receiver = await startWebhookReceiver();
    t = await startTestServer({
      checkers: new FakeCheckers(systemClock),
      env: { SSLTRACKR_SCHEDULER: "true", SSLTRACKR_SCHEDULER_TICK_SECONDS: "1" },
    });
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
    await provider.shutdown();
    metrics.disable();
  });

  it("records request latency, checks, projection lag, webhook deliveries and the scheduler backlog", async () => {
    const { key } = await t.createUser();
    const api = t.client(key);
    const domain = (await api.post("/domains", { hostname: "metered.example.com" })).body as { id: string };
    expect((await api.post("/check", { domain_id: domain.id })).status).to.equal(200);
    const webhook = (await api.post("/webhooks", { url: receiver.url, alert_types: ["ssl_expiry"] })).body as { id: string };
    expect((await api.post(`/webhooks/${webhook.id}/test`)).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 1500)); // a scheduler tick

    await reader.forceFlush();
    const points = new Map<string, { attributes: Record<string, unknown> }[]>();
    for (const batch of exporter.getMetrics())
      for (const scope of batch.scopeMetrics)
        for (const m of scope.metrics) points.set(m.descriptor.name, [...(points.get(m.descriptor.name) ?? []), ...m.dataPoints]);

    const routes = (points.get("http.server.request.duration") ?? []).map((p) => p.attributes["http.route"]);
    expect(routes).to.include.members(["/api/v1/domains", "/api/v1/check"]);
    const checks = (points.get("ssltrackr.check.duration") ?? []).map((p) => `${String(p.attributes["kind"])}:${String(p.attributes["outcome"])}`);
    expect(checks).to.include.members(["ssl:ok", "whois:ok"]);
    expect((points.get("ssltrackr.projection.lag") ?? []).map((p) => p.attributes["projection"])).to.include("domains");
    expect((points.get("ssltrackr.webhook.deliveries") ?? []).map((p) => p.attributes["status"])).to.include("delivered");
    expect((points.get("ssltrackr.scheduler.backlog") ?? []).map((p) => p.attributes["kind"])).to.include.members(["ssl", "whois"]);
  });
});
