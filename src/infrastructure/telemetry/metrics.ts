// The service's metrics, through the OpenTelemetry API (no-op unless an SDK is started).
// Unlike tracers, meters taken before a provider is registered stay no-ops for good, so the
// instruments are created from whichever provider is registered when they are first used.
import { metrics, type Meter, type MeterProvider } from "@opentelemetry/api";

const create = (meter: Meter) => ({
  httpRequestDuration: meter.createHistogram("http.server.request.duration", {
    description: "Duration of HTTP requests",
    unit: "s",
  }),
  checkDuration: meter.createHistogram("ssltrackr.check.duration", {
    description: "Duration of SSL and registration checks, by kind and outcome",
    unit: "s",
  }),
  projectionLag: meter.createGauge("ssltrackr.projection.lag", {
    description: "Seconds between an event being recorded and its projection committing",
    unit: "s",
  }),
  webhookDeliveries: meter.createCounter("ssltrackr.webhook.deliveries", {
    description: "Webhook delivery attempts, by resulting status",
  }),
  schedulerBacklog: meter.createGauge("ssltrackr.scheduler.backlog", {
    description: "Checks due but not yet started, by kind",
  }),
});

let cached: { provider: MeterProvider; instruments: ReturnType<typeof create> } | undefined;

export function serviceMetrics(): ReturnType<typeof create> {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) cached = { provider, instruments: create(provider.getMeter("ssltrackr")) };
  return cached.instruments;
}
