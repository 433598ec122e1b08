// HTTP routes of /webhooks: the "configure webhook alerts via our RESTful API" promised by
// the published API, documented in docs/webhooks.md.
import { Router } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { answerShownOnce } from "../infrastructure/http/idempotency.js";
import { rateLimiter } from "../infrastructure/http/rateLimiter.js";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { paginationQuery, uuidParam } from "../infrastructure/http/schemas.js";
import { parseQuery, parseWith } from "../infrastructure/http/validation.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import { NotFoundError, SecretShownOnceError } from "../shared/errors.js";
import { alertType } from "../monitoring/checkEvents.js";
import { WEBHOOK_NOT_FOUND } from "./webhookDecider.js";
import type { Webhooks } from "./webhookModule.js";
import { parseWebhookUrl } from "./webhookUrl.js";

const url = z.string().transform((value, ctx) => {
  const result = parseWebhookUrl(value.trim());
  if (result.ok) return result.url.href;
  ctx.addIssue({ code: "custom", message: result.reason });
  return z.NEVER;
});
const alertTypes = z
  .array(alertType)
  .min(1)
  .max(20)
  .transform((types) => [...new Set(types)]);
const description = z.string().max(500).nullable();

export const createWebhookBody = z.strictObject({ url, alert_types: alertTypes, description: description.optional() });

export const updateWebhookBody = z.strictObject({
  url: url.optional(),
  alert_types: alertTypes.optional(),
  description: description.optional(),
  is_active: z.boolean().optional(),
});

export const listWebhooksQuery = z.strictObject(paginationQuery);
export const listDeliveriesQuery = z.strictObject({
  ...paginationQuery,
  status: z.enum(["pending", "delivered", "dead", "cancelled"]).optional(),
});

const webhookId = uuidParam("Webhook");

export function webhookRoutes(webhooks: Webhooks, projections: ProjectionRunner, knex: Knex, clock: Clock): Router {
  const router = Router();
  const { commands, queries, worker } = webhooks;

  const webhookOf = async (userId: string, id: string) => {
    const webhook = await queries.get(userId, id);
    if (!webhook) throw new NotFoundError(WEBHOOK_NOT_FOUND);
    return webhook;
  };

  router.post("/webhooks", async (req, res) => {
    const body = parseWith(createWebhookBody, req.body);
    const ctx = requestContext(res);
    const { webhookId: id, secret, position } = await commands.create(ctx, {
      url: body.url,
      alertTypes: body.alert_types,
      description: body.description ?? null,
    });
    if (position) await projections.waitFor(position);
    answerShownOnce(res, new SecretShownOnceError("webhook", id).message);
    res.status(201).json({ ...(await webhookOf(ctx.userId, id)), secret });
  });

  router.get("/webhooks", async (req, res) => {
    const q = parseQuery(listWebhooksQuery, req.query);
    res.json(await queries.list(actorOf(res).userId, { page: q.page, perPage: q.per_page }));
  });

  router.get("/webhooks/:id", async (req, res) => {
    const { id } = parseWith(webhookId, req.params);
    res.json(await webhookOf(actorOf(res).userId, id));
  });

  router.put("/webhooks/:id", async (req, res) => {
    const { id } = parseWith(webhookId, req.params);
    const body = parseWith(updateWebhookBody, req.body);
    const ctx = requestContext(res);
    const position = await commands.update(ctx, id, {
      url: body.url,
      alertTypes: body.alert_types,
      description: body.description,
      isActive: body.is_active,
    });
    if (position) await projections.waitFor(position);
    res.json(await webhookOf(ctx.userId, id));
  });

  router.delete("/webhooks/:id", async (req, res) => {
    const { id } = parseWith(webhookId, req.params);
    const position = await commands.remove(requestContext(res), id);
    if (position) await projections.waitFor(position);
    res.json({ message: "Webhook deleted" });
  });

  // Each test is an outbound request to a user-chosen host: limited like POST /check.
  const testQuota = rateLimiter(knex, clock, { name: "webhook-test", limit: 10, windowSeconds: 60 });
  router.post("/webhooks/:id/test", async (req, res) => {
    const { id } = parseWith(webhookId, req.params);
    await testQuota(res);
    const userId = actorOf(res).userId;
    const webhook = await webhookOf(userId, id);
    const deliveryId = await worker.sendTest({ id, userId, alertTypes: webhook.alert_types });
    res.json(await queries.delivery(userId, deliveryId));
  });

  router.get("/webhooks/:id/deliveries", async (req, res) => {
    const { id } = parseWith(webhookId, req.params);
    const q = parseQuery(listDeliveriesQuery, req.query);
    const page = await queries.deliveries(actorOf(res).userId, id, { page: q.page, perPage: q.per_page, status: q.status });
    if (!page) throw new NotFoundError(WEBHOOK_NOT_FOUND);
    res.json(page);
  });

  return router;
}
