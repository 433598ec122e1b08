// GET /domains/{id}/history in the OpenAPI document. An entry's `data` is described by the
// same event schemas the codec decodes it with, one variant per event type.
import { z } from "zod";
import { gradeSchema } from "../checkers/ssl/result.js";
import { entityId, instant } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { paginated, uuidParam } from "../infrastructure/http/schemas.js";
import { monitoringEventDefinitions } from "../monitoring/checkEvents.js";
import { domainEventDefinitions } from "./events.js";
import { historyQuery } from "./historyRoutes.js";

const entryFields = {
  revision: z.number().int().min(0),
  recorded_at: instant(),
  user_id: entityId().nullable(),
  api_key_id: described(entityId().nullable(), "The API key the user acted through; null when through a dashboard session or for the system's own events."),
  session_id: described(entityId().nullable(), "The dashboard session (a person signed in) the user acted through; null otherwise."),
  correlation_id: z.string().nullable(),
  causation_id: z.string().nullable(),
};

// The events of a domain's stream (the definitions domainStream.ts composes its codec from).
const [first, ...rest] = [...domainEventDefinitions, ...monitoringEventDefinitions].map((d) =>
  z.object({ type: z.literal(d.type), data: d.schema, ...entryFields }),
);
if (!first) throw new Error("a domain stream has events");

export const historyEntry = named("DomainHistoryEntry", z.discriminatedUnion("type", [first, ...rest]));

// The write side's state (domainStream.ts). Once the domain exists it is never "absent".
const domainState = z.object({
  status: z.enum(["monitored", "removed"]),
  domain_id: entityId(),
  user_id: entityId(),
  hostname: z.string(),
  port: z.number().int(),
  is_active: z.boolean(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  muted_until: z.string().nullable(),
});

const failureCount = { consecutive_failures: z.number().int().min(0), failure_alerted: z.boolean() };
const monitoringState = described(
  z.looseObject({
    ssl: z.looseObject({
      known_fingerprints: z.array(z.string()),
      last_grade: gradeSchema.nullable(),
      grade_baseline: gradeSchema.nullable(),
      invalid_alerted: z.boolean(),
      ...failureCount,
    }),
    whois: z.looseObject(failureCount),
    alerts_raised: z.array(z.string()),
  }),
  "The alert policy's bookkeeping (what it has seen and alerted on); it may gain fields.",
);

export const domainStateAsOf = named(
  "DomainStateAsOf",
  z.object({
    as_of: instant(),
    revision: z.number().int().min(0),
    state: z.object({ domain: domainState, monitoring: monitoringState }),
    last_ssl_check: historyEntry.nullable(),
    last_whois_check: historyEntry.nullable(),
  }),
);

export const historyOperations: readonly ApiOperation[] = [
  {
    id: "getDomainHistory",
    method: "get",
    path: "/domains/{id}/history",
    summary: "A domain's events, or its state at a past moment",
    description:
      "Without `as_of`: the domain's events in order, paginated. With `as_of`: the state at that moment, " +
      "rebuilt by replaying the events, and the last checks recorded by then. Also for the caller's deleted domains.",
    tags: ["Domains"],
    auth: "bearer",
    origin: "addition",
    request: { params: uuidParam("Domain"), query: historyQuery },
    responses: {
      200: { description: "A page of events, or the state as of `as_of`.", schema: z.union([paginated(historyEntry), domainStateAsOf]) },
    },
    errors: [404],
  },
];
