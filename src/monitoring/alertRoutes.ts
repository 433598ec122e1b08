// HTTP routes of alerts: GET /alerts (spec) and the per-user thresholds (addition):
// GET /alert-settings, PUT /alert-settings (partial: omitted fields keep their value).
import { Router } from "express";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { paginationQuery, uuidParam } from "../infrastructure/http/schemas.js";
import { parseQuery, parseWith } from "../infrastructure/http/validation.js";
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import { eventMetadata } from "../infrastructure/commandHandling/requestContext.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { alertStates } from "../../projections/alerts.js";
import { domainStream } from "../domains/domainStream.js";
import { domainStreamName } from "../domains/events.js";
import { ALERT_NOT_OPEN } from "./monitoringDecider.js";
import type { AlertQueries } from "./alertQueries.js";
import type { AlertSettingsQueries } from "./alertSettingsQueries.js";
import { alertSettingsSchema, alertSettingsStream, alertSettingsStreamName, certificateChangeSettings } from "./alertSettings.js";

export const listAlertsQuery = z.strictObject({
  ...paginationQuery,
  domain_id: z.uuid().optional(),
  state: z.enum(["all", ...alertStates]).default("all"),
});
const alertId = uuidParam("Alert");
/** Partial, also inside certificate_changes: omitted fields keep their value. */
export const alertSettingsBody = alertSettingsSchema.extend({ certificate_changes: certificateChangeSettings.partial() }).partial();

export function alertRoutes(
  alerts: AlertQueries,
  settings: AlertSettingsQueries,
  handler: CommandHandler,
  projections: ProjectionRunner,
  clock: Clock,
): Router {
  const router = Router();

  router.get("/alerts", async (req, res) => {
    const q = parseQuery(listAlertsQuery, req.query);
    const state = q.state === "all" ? undefined : q.state;
    res.json(await alerts.list(actorOf(res).userId, { page: q.page, perPage: q.per_page, domainId: q.domain_id, state }));
  });

  router.post("/alerts/:id/acknowledge", async (req, res) => {
    const { id } = parseWith(alertId, req.params);
    const ctx = requestContext(res);
    const found = await alerts.get(ctx.userId, id);
    if (!found) throw new NotFoundError("Alert not found");
    if (found.state === "resolved") throw new ConflictError(ALERT_NOT_OPEN);
    if (found.state === "open") {
      const result = await handler.handle(
        domainStreamName(found.domain_id),
        domainStream,
        { type: "AcknowledgeAlert", alertId: id, userId: ctx.userId, now: clock.now() },
        eventMetadata(ctx),
      );
      if (result.position) await projections.waitFor(result.position);
    }
    res.json(await alerts.get(ctx.userId, id));
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
      { type: "ChangeAlertSettings", userId: ctx.userId, settings: { ...current, ...changes, certificate_changes: { ...current.certificate_changes, ...changes.certificate_changes } }, now: clock.now() },
      eventMetadata(ctx),
    );
    if (result.position) await projections.waitFor(result.position);
    res.json(result.state);
  });

  return router;
}
