// HTTP routes of /domains, exactly as the published API (../shared/spec/api-v1.md) plus the
// computed `status` field.
import { Router } from "express";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { paginationQuery, uuidParam } from "../infrastructure/http/schemas.js";
import { instantInput } from "../shared/instant.js";
import { parseQuery, parseWith } from "../infrastructure/http/validation.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import type { CheckTrigger } from "../monitoring/checkEvents.js";
import { NotFoundError } from "../shared/errors.js";
import { domainStatuses } from "../monitoring/domainStatus.js";
import type { DomainCommands } from "./domainCommands.js";
import { domainSorts, type DomainQueries } from "./domainQueries.js";
import { normaliseHostname } from "./hostname.js";

const hostname = z.string().transform((value, ctx) => {
  const result = normaliseHostname(value);
  if (result.ok) return result.hostname;
  ctx.addIssue({ code: "custom", message: result.reason });
  return z.NEVER;
});
const port = z.number().int().min(1).max(65535);
const notes = z.string().max(500).nullable();
/** Up to 10 tags, each trimmed and not blank; a tag given twice is kept once (first place). */
const tags = z
  .array(z.string().trim().min(1, "a tag must not be blank").max(50))
  .max(10)
  .overwrite((list) => [...new Set(list)]);

export const createDomainBody = z.strictObject({
  hostname,
  port: port.default(443),
  notes: notes.optional(),
  tags: tags.default([]),
});

export const updateDomainBody = z.strictObject({
  hostname: hostname.optional(),
  port: port.optional(),
  is_active: z.boolean().optional(),
  notes: notes.optional(),
  tags: tags.optional(),
  /** Addition (issue #15): hold notifications until this instant; null unmutes. */
  muted_until: instantInput().nullable().optional(),
});

export const listDomainsQuery = z.strictObject({
  ...paginationQuery,
  status: z.enum(["all", ...domainStatuses]).default("all"),
  search: z.string().max(253).optional(),
  sort: z.enum(domainSorts).default("created_at"),
  order: z.enum(["asc", "desc"]).default("desc"),
  /** Only domains whose certificate is due for renewal (renewal_due_at) before this UTC instant. */
  renewal_due_before: instantInput().optional(),
  /** Addition: only domains carrying this tag (exact, case-sensitive match, as stored). */
  tag: z.string().min(1).max(50).optional(),
});

const domainId = uuidParam("Domain");

export function domainRoutes(
  commands: DomainCommands,
  queries: DomainQueries,
  projections: ProjectionRunner,
  /**
   * Called once a new domain, or a domain moved to another hostname/port, is visible: starts
   * the checks of its (new) target in the background.
   */
  checkTarget: (domainId: string, ctx: RequestContext & { userId: string }, trigger: CheckTrigger) => void = () => undefined,
): Router {
  const router = Router();

  const respondWithDomain = async (userId: string, id: string) => {
    const domain = await queries.get(userId, id);
    if (!domain) throw new NotFoundError("Domain not found");
    return domain;
  };

  router.get("/domains", async (req, res) => {
    const q = parseQuery(listDomainsQuery, req.query);
    res.type("json").send(
      await queries.list(actorOf(res).userId, {
        page: q.page,
        perPage: q.per_page,
        status: q.status,
        search: q.search,
        sort: q.sort,
        order: q.order,
        renewalDueBefore: q.renewal_due_before ? new Date(q.renewal_due_before) : undefined,
        tag: q.tag,
      }),
    );
  });

  router.post("/domains", async (req, res) => {
    const body = parseWith(createDomainBody, req.body);
    const ctx = requestContext(res);
    const { domainId: id, position } = await commands.add(ctx, {
      hostname: body.hostname,
      requestedHostname: (req.body as { hostname: string }).hostname,
      port: body.port,
      notes: body.notes ?? null,
      tags: body.tags,
    });
    if (position) await projections.waitFor(position);
    res.status(201).json(await respondWithDomain(ctx.userId, id));
    checkTarget(id, ctx, "domain_added");
  });

  router.get("/domains/:id", async (req, res) => {
    const { id } = parseWith(domainId, req.params);
    res.json(await respondWithDomain(actorOf(res).userId, id));
  });

  router.put("/domains/:id", async (req, res) => {
    const { id } = parseWith(domainId, req.params);
    const body = parseWith(updateDomainBody, req.body);
    const ctx = requestContext(res);
    const { position, moved } = await commands.update(ctx, id, {
      hostname: body.hostname,
      port: body.port,
      isActive: body.is_active,
      notes: body.notes,
      tags: body.tags,
      mutedUntil: body.muted_until,
    });
    if (position) await projections.waitFor(position);
    const domain = await respondWithDomain(ctx.userId, id);
    res.json(domain);
    // A paused domain is not checked (the scheduler skips it too) until it is resumed.
    if (moved && domain.is_active) checkTarget(id, ctx, "domain_moved");
  });

  router.delete("/domains/:id", async (req, res) => {
    const { id } = parseWith(domainId, req.params);
    const position = await commands.remove(requestContext(res), id);
    if (position) await projections.waitFor(position);
    res.json({ message: "Domain deleted" });
  });

  return router;
}
