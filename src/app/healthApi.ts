// The probes in the OpenAPI document: outside /api/v1, without authentication.
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
