// The service's metrics, through the OpenTelemetry API (no-op unless an SDK is started).
import { metrics } from "@opentelemetry/api";

const meter = metrics.getMeter("ssltrackr");

export const httpRequestDuration = meter.createHistogram("http.server.request.duration", {
  description: "Duration of HTTP requests",
  unit: "s",
});

export const checkDuration = meter.createHistogram("ssltrackr.check.duration", {
  description: "Duration of SSL and registration checks, by kind and outcome",
  unit: "s",
});

export const projectionLag = meter.createGauge("ssltrackr.projection.lag", {
  description: "Seconds between an event being recorded and its projection committing",
  unit: "s",
});

export const webhookDeliveries = meter.createCounter("ssltrackr.webhook.deliveries", {
  description: "Webhook delivery attempts, by outcome",
});

export const schedulerBacklog = meter.createGauge("ssltrackr.scheduler.backlog", {
  description: "Checks due but not yet started, by kind",
});
