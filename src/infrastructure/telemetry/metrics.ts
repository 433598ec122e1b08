// The service's metrics. Each instrument records to two sinks from one call site:
// - OpenTelemetry (no-op unless an SDK is started: OTLP export, see telemetry.ts). Meters taken
//   before a provider is registered stay no-ops for good, so the OpenTelemetry instruments are
//   created from whichever provider is registered when they are first used.
// - a prom-client registry, served as Prometheus text at GET /metrics when
//   SSLTRACKR_METRICS_TOKEN is set (docs/prometheus.md). Attribute keys become label names
//   with dots replaced by underscores, as OpenTelemetry's own Prometheus exporter names them.
import { metrics, type Attributes, type MeterProvider } from "@opentelemetry/api";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Process-wide Prometheus registry: the service metrics and Node's process metrics. */
export const serviceRegistry = new Registry();
collectDefaultMetrics({ register: serviceRegistry });

type Kind = "histogram" | "gauge" | "counter";
interface Spec {
  readonly kind: Kind;
  /** OpenTelemetry instrument name; the Prometheus name is derived (ssltrackr_..., unit suffix). */
  readonly otel: string;
  readonly prometheus: string;
  readonly description: string;
  readonly unit?: "s";
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
  /** Series that exist from the start at 0, so `increase()` sees their first event. */
  readonly zeroed?: readonly Readonly<Record<string, string>>[];
}

const SPECS = {
  httpRequestDuration: {
    kind: "histogram",
    otel: "http.server.request.duration",
    prometheus: "ssltrackr_http_server_request_duration_seconds",
    description: "Duration of HTTP requests",
    unit: "s",
    labels: ["http.request.method", "http.route", "http.response.status_code"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  checkDuration: {
    kind: "histogram",
    otel: "ssltrackr.check.duration",
    prometheus: "ssltrackr_check_duration_seconds",
    description: "Duration of SSL and registration checks, by kind and outcome",
    unit: "s",
    labels: ["kind", "outcome", "trigger"],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  },
  projectionLag: {
    kind: "gauge",
    otel: "ssltrackr.projection.lag",
    prometheus: "ssltrackr_projection_lag_seconds",
    description: "Seconds between an event being recorded and its projection committing",
    unit: "s",
    labels: ["projection"],
  },
  webhookDeliveries: {
    kind: "counter",
    otel: "ssltrackr.webhook.deliveries",
    prometheus: "ssltrackr_webhook_deliveries_total",
    description: "Webhook delivery attempts, by resulting status",
    labels: ["status", "test"],
    zeroed: ["delivered", "pending", "dead"].map((status) => ({ status, test: "false" })),
  },
  notificationDeliveries: {
    kind: "counter",
    otel: "ssltrackr.notification.deliveries",
    prometheus: "ssltrackr_notification_deliveries_total",
    description: "Notification channel delivery attempts, by channel type and resulting status (issue #15)",
    labels: ["channel_type", "status", "test"],
  },
  notificationDeliveryDuration: {
    kind: "histogram",
    otel: "ssltrackr.notification.delivery.duration",
    prometheus: "ssltrackr_notification_delivery_duration_seconds",
    description: "Duration of one notification delivery attempt, by channel type",
    unit: "s",
    labels: ["channel_type"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  schedulerBacklog: {
    kind: "gauge",
    otel: "ssltrackr.scheduler.backlog",
    prometheus: "ssltrackr_scheduler_backlog",
    description: "Checks due but not yet started, by kind",
    labels: ["kind"],
  },
} as const satisfies Record<string, Spec>;

type Name = keyof typeof SPECS;
type Instrument<S extends Spec> = S["kind"] extends "counter" ? { add(value: number, attributes: Attributes): void } : { record(value: number, attributes: Attributes): void };
export type ServiceMetrics = { readonly [N in Name]: Instrument<(typeof SPECS)[N]> };

const labelName = (attribute: string) => attribute.replace(/\./g, "_");
const labelsOf = (spec: Spec, attributes: Attributes) =>
  Object.fromEntries(spec.labels.map((a) => [labelName(a), String(attributes[a] ?? "")]));

/** The Prometheus side, made once per process (a registry refuses a name twice). */
const prometheus = Object.fromEntries(
  Object.entries(SPECS).map(([name, spec]: [string, Spec]) => {
    const options = { name: spec.prometheus, help: spec.description, labelNames: spec.labels.map(labelName), registers: [serviceRegistry] };
    const metric =
      spec.kind === "histogram" ? new Histogram({ ...options, buckets: [...(spec.buckets ?? [])] })
      : spec.kind === "gauge" ? new Gauge(options)
      : new Counter(options);
    for (const labels of spec.zeroed ?? []) if (metric instanceof Counter) metric.inc(labels, 0);
    return [name, metric];
  }),
) as Record<Name, Histogram | Gauge | Counter>;

function create(provider: MeterProvider): ServiceMetrics {
  const meter = provider.getMeter("ssltrackr");
  const entries = (Object.entries(SPECS) as [Name, Spec][]).map(([name, spec]) => {
    const options = { description: spec.description, ...(spec.unit ? { unit: spec.unit } : {}) };
    const prom = prometheus[name];
    switch (spec.kind) {
      case "histogram": {
        const otel = meter.createHistogram(spec.otel, options);
        return [name, { record: (v: number, a: Attributes) => (otel.record(v, a), (prom as Histogram).observe(labelsOf(spec, a), v)) }];
      }
      case "gauge": {
        const otel = meter.createGauge(spec.otel, options);
        return [name, { record: (v: number, a: Attributes) => (otel.record(v, a), (prom as Gauge).set(labelsOf(spec, a), v)) }];
      }
      case "counter": {
        const otel = meter.createCounter(spec.otel, options);
        return [name, { add: (v: number, a: Attributes) => (otel.add(v, a), (prom as Counter).inc(labelsOf(spec, a), v)) }];
      }
    }
  });
  return Object.fromEntries(entries) as ServiceMetrics;
}

let cached: { provider: MeterProvider; instruments: ServiceMetrics } | undefined;

export function serviceMetrics(): ServiceMetrics {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) cached = { provider, instruments: create(provider) };
  return cached.instruments;
}
