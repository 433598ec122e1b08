// HTTP routes of alerts: GET /alerts (spec) and the per-user thresholds (addition):
// GET /alert-settings, PUT /alert-settings (partial: omitted fields keep their value).
import { Router } from "express";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { paginationQuery } from "../infrastructure/http/schemas.js";
import { parseWith } from "../infrastructure/http/validation.js";
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import { eventMetadata } from "../infrastructure/commandHandling/requestContext.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import type { AlertQueries } from "./alertQueries.js";
import type { AlertSettingsQueries } from "./alertSettingsQueries.js";
import { alertSettingsSchema, alertSettingsStream, alertSettingsStreamName } from "./alertSettings.js";

export const listAlertsQuery = z.strictObject({ ...paginationQuery, domain_id: z.uuid().optional() });
export const alertSettingsBody = alertSettingsSchema.partial();

export function alertRoutes(
  alerts: AlertQueries,
  settings: AlertSettingsQueries,
  handler: CommandHandler,
  projections: ProjectionRunner,
  clock: Clock,
): Router {
  const router = Router();

  router.get("/alerts", async (req, res) => {
    const q = parseWith(listAlertsQuery, req.query);
    res.json(await alerts.list(actorOf(res).userId, { page: q.page, perPage: q.per_page, domainId: q.domain_id }));
  });

  router.get("/alert-settings", async (_req, res) => {
    res.json(await settings.forUser(actorOf(res).userId));
  });

  router.put("/alert-settings", async (req, res) => {
    const changes = parseWith(alertSettingsBody, req.body);
    const ctx = requestContext(res);
    const current = await settings.forUser(ctx.userId);
    const result = await handler.handle(
      alertSettingsStreamName(ctx.userId),
      alertSettingsStream,
      { type: "ChangeAlertSettings", userId: ctx.userId, settings: { ...current, ...changes }, now: clock.now() },
      eventMetadata(ctx),
    );
    if (result.position) await projections.waitFor(result.position);
    res.json(result.state);
  });

  return router;
}
