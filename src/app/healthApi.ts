// The probes and the Prometheus scrape target in the OpenAPI document: outside /api/v1, without API keys.
import { z } from "zod";
import { named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";

const probe = z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), detail: z.string() })]);
const readiness = (status: "ready" | "not_ready") =>
  z.object({ status: z.literal(status), checks: z.object({ database: probe, event_store: probe, projections: probe }) });

const probeOperation = { tags: ["Probes"], auth: "none", origin: "addition", server: "/" } as const;

export const healthOperations: readonly ApiOperation[] = [
  {
    ...probeOperation,
    id: "health",
    method: "get",
    path: "/health",
    summary: "Liveness: the process serves HTTP",
    responses: { 200: { description: "Alive.", schema: named("Health", z.object({ status: z.literal("ok") })) } },
  },
  {
    ...probeOperation,
    id: "ready",
    method: "get",
    path: "/ready",
    summary: "Readiness: database and event store answer, no projection far behind",
    responses: {
      200: { description: "Ready.", schema: named("Ready", readiness("ready")) },
      503: { description: "Not ready; `checks` says what failed.", schema: named("NotReady", readiness("not_ready")) },
    },
  },
];

/** Served only when SSLTRACKR_METRICS_TOKEN is set (docs/prometheus.md). */
export const metricsOperation: ApiOperation = {
  tags: ["Probes"],
  origin: "addition",
  server: "/",
  auth: "metricsToken",
  id: "metrics",
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics: the service's own and per-domain gauges",
  description:
    "Prometheus text format 0.0.4. Per-domain gauges (labels user_id, domain_id, hostname, port): ssl_cert_not_after and " +
    "probe_ssl_earliest_cert_expiry (Unix seconds), ssl_probe_success, domain_expiry_days, domain_probe_success, " +
    "ssltrackr_ssl_grade. 404 when SSLTRACKR_METRICS_TOKEN is unset.",
  responses: { 200: { description: "The metrics.", textMediaType: "text/plain; version=0.0.4" } },
  errors: [404],
};
