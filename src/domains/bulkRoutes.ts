// POST /domains/bulk: up to BULK_MAX_ROWS domains in one request, each row answered on its own
// (src/domains/bulkImport.ts). Rate limited like POST /check; read-your-writes like POST
// /domains: the answer comes once every added domain is visible to GET /domains.
import { Router } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { rateLimiter } from "../infrastructure/http/rateLimiter.js";
import { parseWith, validate } from "../infrastructure/http/validation.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import { addInBulk, BULK_MAX_ROWS, type ParsedRow } from "./bulkImport.js";
import type { DomainCommands } from "./domainCommands.js";
import type { DomainQueries } from "./domainQueries.js";
import { createDomainBody } from "./domainRoutes.js";

/** The envelope; each row is validated on its own against POST /domains' body. */
export const bulkCreateBody = z.strictObject({
  domains: z.array(z.unknown()).min(1).max(BULK_MAX_ROWS),
});

export const BULK_RATE_LIMIT = { limit: 30, windowSeconds: 60 } as const;
/** Body limit of POST /domains/bulk: 1,000 rows with full notes and tags fit. */
export const BULK_BODY_LIMIT = { "/domains/bulk": 2 * 1024 * 1024 } as const;

const parseRow = (value: unknown, index: number): ParsedRow => {
  const parsed = validate(createDomainBody, value, { at: `domains[${index}]` });
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, row: parsed.data, requestedHostname: (value as { hostname: string }).hostname };
};

export function bulkDomainRoutes(commands: DomainCommands, queries: DomainQueries, projections: ProjectionRunner, knex: Knex, clock: Clock): Router {
  const router = Router();
  const bulkQuota = rateLimiter(knex, clock, { name: "domains_bulk", ...BULK_RATE_LIMIT });
  router.post("/domains/bulk", async (req, res) => {
    // Rows are checked one by one (parseRow), strings included: one bad row never fails the others.
    const body = parseWith(bulkCreateBody, req.body, "request", { strings: "skip" });
    await bulkQuota(res);
    const ctx = requestContext(res);
    const { results, position } = await addInBulk(commands, ctx, body.domains.map(parseRow), (hostname, port) =>
      queries.idOf(ctx.userId, hostname, port),
    );
    if (position) await projections.waitFor(position);
    const count = (status: number) => results.filter((r) => r.status === status).length;
    res.json({ created: count(201), conflicts: count(409), invalid: count(400), results });
  });
  return router;
}
