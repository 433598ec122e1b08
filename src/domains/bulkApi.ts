// POST /domains/bulk in the OpenAPI document.
import { z } from "zod";
import { entityId } from "../infrastructure/http/openapi/common.js";
import { named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { BULK_MAX_ROWS } from "./bulkImport.js";
import { BULK_BODY_LIMIT, BULK_RATE_LIMIT } from "./bulkRoutes.js";
import { createDomainBody } from "./domainRoutes.js";

/** What the document shows; the route takes any array and validates each row on its own. */
const bulkCreateBodyDocumented = z.strictObject({
  domains: z.array(createDomainBody).min(1).max(BULK_MAX_ROWS).describe("Each row is validated on its own: an invalid row is answered 400 in `results`, the others are added."),
});

const row = { index: z.number().int().describe("The row's position in `domains`, from 0.") };
const target = { hostname: z.string(), port: z.number().int() };

const bulkRowResult = named(
  "BulkDomainResult",
  z.union([
    z.object({ ...row, status: z.literal(201), id: entityId(), ...target }),
    z.object({ ...row, status: z.literal(409), error: z.string(), id: entityId().nullable().describe("The domain already monitored; null for a row listed twice."), ...target }),
    z.object({ ...row, status: z.literal(400), error: z.string() }),
  ]),
);

const bulkResult = named(
  "BulkDomainsResult",
  z.object({
    created: z.number().int(),
    conflicts: z.number().int(),
    invalid: z.number().int(),
    results: z.array(bulkRowResult).describe("One per row, in request order."),
  }),
);

export const bulkDomainOperations: readonly ApiOperation[] = [
  {
    id: "createDomainsInBulk",
    method: "post",
    path: "/domains/bulk",
    summary: "Add many domains",
    description:
      `Up to ${BULK_MAX_ROWS} domains, each with POST /domains' fields, each answered on its own: 201 with its id, 409 ` +
      "already monitored (with the existing id) or listed twice, 400 naming the invalid field. Safe to retry: rows a cut-off " +
      "attempt added answer 409 with their ids. New domains are checked by the scheduler, not at once. The answer comes " +
      "when every added domain is visible to GET /domains. A row whose hostname a concurrent request is adding at the " +
      `same moment answers 409 with a null id. Body limit ${BULK_BODY_LIMIT["/domains/bulk"] / 1024 / 1024} MiB.`,
    tags: ["Domains"],
    auth: "bearer",
    origin: "addition",
    rateLimit: BULK_RATE_LIMIT,
    request: { body: bulkCreateBodyDocumented },
    responses: { 200: { description: "Every row's outcome.", schema: bulkResult } },
    errors: [503],
  },
];
