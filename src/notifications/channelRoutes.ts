// HTTP routes of /notification-channels (issue #15, additions; docs/notifications.md).
import { Router } from "express";
import type { Knex } from "knex";
import { randomUUID } from "node:crypto";
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
import { alertSeverity, alertType } from "../monitoring/checkEvents.js";
import { channelTypes } from "./channelTypes.js";
import { CHANNEL_NOT_FOUND } from "./channelDecider.js";
import type { NotificationFacts } from "./facts.js";
import type { Notifications } from "./notificationModule.js";

const name = z.string().trim().min(1).max(100);
export const routingBody = z.strictObject({
  alert_types: z.array(alertType).max(20).default([]).describe("Alert types to send; empty: all."),
  min_severity: alertSeverity.default("info"),
  tags: z.array(z.string().min(1).max(50)).max(10).default([]).describe("Only alerts of domains with one of these tags; empty: all domains."),
});
const template = z
  .strictObject({ title: z.string().max(500).optional(), body: z.string().max(5000).optional() })
  .nullable()
  .describe("Overrides of the default title and body; {{variables}} as in docs/notifications.md.");
/** The type's own fields (secrets included) are validated by its schema (channelTypes.ts) after this. */
const config = z.record(z.string(), z.unknown()).describe("The type's settings (docs/notifications.md); secret fields are write-only.");

export const createChannelBody = z.strictObject({
  type: z.enum(channelTypes),
  name,
  config,
  routing: routingBody.prefault({}),
  template: template.default(null),
});
export const updateChannelBody = z.strictObject({
  name: name.optional(),
  config: config.optional().describe("Fields to change; secret fields left out keep their value."),
  routing: routingBody.optional(),
  template: template.optional(),
  is_active: z.boolean().optional(),
});
export const listChannelsQuery = z.strictObject(paginationQuery);
export const listChannelDeliveriesQuery = z.strictObject({
  ...paginationQuery,
  status: z.enum(["pending", "delivered", "dead", "cancelled"]).optional(),
});

const channelId = uuidParam("Notification channel");
const routingOf = (r: z.output<typeof routingBody>) => ({ alertTypes: [...new Set(r.alert_types)], minSeverity: r.min_severity, tags: [...new Set(r.tags)] });

/** A synthetic alert for POST /notification-channels/{id}/test; names no real domain. */
const testFacts = (now: Date): NotificationFacts => {
  const expires = new Date(now.getTime() + 14 * 86_400_000).toISOString();
  return {
    event: "raised",
    alertId: randomUUID(),
    domainId: "00000000-0000-4000-8000-000000000000",
    hostname: "example.com",
    alertType: "ssl_expiry",
    severity: "warning",
    title: "Test notification from SSLTrackr",
    message: "This is a test notification. No domain is affected.",
    thresholdDays: 14,
    dedupeKey: `ssl_expiry:test:${expires}:14`,
    triggeredAt: now.toISOString(),
    at: now.toISOString(),
    reason: null,
  };
};

export function channelRoutes(notifications: Notifications, projections: ProjectionRunner, knex: Knex, clock: Clock): Router {
  const router = Router();
  const { commands, queries, worker } = notifications;

  const channelOf = async (userId: string, id: string) => {
    const channel = await queries.get(userId, id);
    if (!channel) throw new NotFoundError(CHANNEL_NOT_FOUND);
    return channel;
  };

  router.post("/notification-channels", async (req, res) => {
    const body = parseWith(createChannelBody, req.body);
    const ctx = requestContext(res);
    const { channelId: id, signingSecret, position } = await commands.create(ctx, {
      type: body.type,
      name: body.name,
      config: body.config,
      routing: routingOf(body.routing),
      template: body.template,
    });
    if (position) await projections.waitFor(position);
    if (signingSecret) answerShownOnce(res, new SecretShownOnceError("notification channel", id).message);
    res.status(201).json({ ...(await channelOf(ctx.userId, id)), ...(signingSecret ? { signing_secret: signingSecret } : {}) });
  });

  router.get("/notification-channels", async (req, res) => {
    const q = parseQuery(listChannelsQuery, req.query);
    res.json(await queries.list(actorOf(res).userId, { page: q.page, perPage: q.per_page }));
  });

  router.get("/notification-channels/:id", async (req, res) => {
    const { id } = parseWith(channelId, req.params);
    res.json(await channelOf(actorOf(res).userId, id));
  });

  router.put("/notification-channels/:id", async (req, res) => {
    const { id } = parseWith(channelId, req.params);
    const body = parseWith(updateChannelBody, req.body);
    const ctx = requestContext(res);
    const position = await commands.update(ctx, id, {
      name: body.name,
      config: body.config,
      routing: body.routing && routingOf(body.routing),
      template: body.template,
      isActive: body.is_active,
    });
    if (position) await projections.waitFor(position);
    res.json(await channelOf(ctx.userId, id));
  });

  router.delete("/notification-channels/:id", async (req, res) => {
    const { id } = parseWith(channelId, req.params);
    const position = await commands.remove(requestContext(res), id);
    if (position) await projections.waitFor(position);
    res.json({ message: "Notification channel deleted" });
  });

  // Each test is an outbound request to a user-chosen host: limited like webhook tests.
  const testQuota = rateLimiter(knex, clock, { name: "channel-test", limit: 10, windowSeconds: 60 });
  router.post("/notification-channels/:id/test", async (req, res) => {
    const { id } = parseWith(channelId, req.params);
    await testQuota(res);
    const userId = actorOf(res).userId;
    await channelOf(userId, id);
    const now = clock.now();
    const deliveryId = await worker.sendNow({ id: randomUUID(), targetId: id, userId, eventType: "alert.raised", payload: JSON.stringify(testFacts(now)), now });
    res.json(await queries.delivery(userId, deliveryId));
  });

  router.get("/notification-channels/:id/deliveries", async (req, res) => {
    const { id } = parseWith(channelId, req.params);
    const q = parseQuery(listChannelDeliveriesQuery, req.query);
    await channelOf(actorOf(res).userId, id);
    res.json(await queries.deliveries(actorOf(res).userId, id, { page: q.page, perPage: q.per_page, status: q.status }));
  });

  return router;
}
