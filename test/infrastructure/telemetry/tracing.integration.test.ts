// One request's trace, end to end: the HTTP server span, the command, the append, and the
// projectors that later apply its events (trace context travels in event metadata).
import { randomUUID } from "node:crypto";
import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../../support/testServer.js";
import { startWebhookReceiver } from "../../support/webhookReceiver.js";
import { eventCodec } from "../../../src/infrastructure/eventStore/eventCodec.js";
import { AlertRaised } from "../../../src/monitoring/checkEvents.js";

const alertCodec = eventCodec([AlertRaised] as const);

describe("OpenTelemetry tracing (integration)", () => {
  const exporter = new InMemorySpanExporter();
  let provider: NodeTracerProvider;
  let t: TestServer;

  before(async () => {
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register({ propagator: new W3CTraceContextPropagator() });
    t = await startTestServer({ env: { SSLTRACKR_WEBHOOK_POLL_MS: "50" } });
  });
  after(async () => {
    await t?.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it("follows POST /domains through the command, the append and every projector", async () => {
    const { key } = await t.createUser();
    exporter.reset();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await t.client(key).request(
      "POST",
      "/domains",
      { hostname: "traced.example.com" },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(res.status).to.equal(201);
    // Projector spans end when their batch commits; give the exporter a moment.
    await new Promise((r) => setTimeout(r, 200));
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

    const http = spans.find((s) => s.name === "POST /api/v1/domains");
    expect(http, "server span continuing the caller's trace").to.not.equal(undefined);
    expect(http!.attributes["http.response.status_code"]).to.equal(201);
    expect(parentOf(http!)).to.equal("00f067aa0ba902b7");

    const addDomain = spans.find((s) => s.name === "command AddDomain");
    expect(addDomain, "command span").to.not.equal(undefined);
    expect(parentOf(addDomain!)).to.equal(http!.spanContext().spanId);
    const append = spans.find((s) => s.name === "eventstore.append" && parentOf(s) === addDomain!.spanContext().spanId);
    expect(append, "append span under the command").to.not.equal(undefined);

    const projected = spans.filter((s) => s.name.startsWith("project ") && s.name.endsWith(" DomainAdded"));
    expect(projected.map((s) => s.name)).to.include("project domains DomainAdded");
    for (const s of projected) expect(parentOf(s), s.name).to.equal(addDomain!.spanContext().spanId);
  });

  it("stores the trace context in the event's metadata", async () => {
    const { key } = await t.createUser();
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const res = await t.client(key).request("POST", "/domains", { hostname: "meta.example.com" }, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    const [added] = await t.server.infra.eventStore.readStream(`domain-${res.body.id}`);
    expect(String(added!.metadata.traceparent)).to.match(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it("continues the alert's trace in the webhook delivery it causes", async () => {
    const { userId, key } = await t.createUser();
    const receiver = await startWebhookReceiver();
    try {
      const created = await t.client(key).post("/webhooks", { url: receiver.url, alert_types: ["ssl_expiry"] });
      expect(created.status).to.equal(201);
      exporter.reset();
      const traceId = "5b8efff798038103d269b633813fc60c";
      const causingSpan = "eee19b7ec3c1b174";
      const alertId = randomUUID();
      const domainId = randomUUID();
      await t.server.infra.eventStore.appendToStream(`domain-${domainId}`, [
        alertCodec.encode(
          {
            type: "AlertRaised",
            data: {
              alertId,
              domainId,
              userId,
              hostname: "traced.example.com",
              alertType: "ssl_expiry",
              severity: "warning",
              title: "SSL certificate expires in 14 days",
              message: "The SSL certificate for traced.example.com expires on 2026-12-11. 14 days remaining.",
              thresholdDays: 14,
              triggeredAt: new Date().toISOString(),
              checkId: randomUUID(),
              dedupeKey: `ssl_expiry:traced:${alertId}`,
              passedOverKeys: [],
            },
          },
          randomUUID(),
          { correlationId: "traced-check", traceparent: `00-${traceId}-${causingSpan}-01` },
        ),
      ]);
      await receiver.waitForCount(1, 10_000);
      await new Promise((r) => setTimeout(r, 100));
      const delivery = exporter.getFinishedSpans().find((s) => s.name === "webhook.deliver");
      expect(delivery, "delivery span").to.not.equal(undefined);
      expect(delivery!.spanContext().traceId).to.equal(traceId);
      expect(parentOf(delivery!)).to.equal(causingSpan);
    } finally {
      await receiver.close();
    }
  });
});
