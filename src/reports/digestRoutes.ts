// GET /digest-settings, PUT /digest-settings (issue #15, 3; an addition). PUT is partial:
// omitted fields keep their value. A digest needs the caller's own `email` channel.
import { Router } from "express";
import { actorOf } from "../infrastructure/http/authentication.js";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { parseWith } from "../infrastructure/http/validation.js";
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import { eventMetadata } from "../infrastructure/commandHandling/requestContext.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import { ValidationError } from "../shared/errors.js";
import { digestSettingsSchema, digestSettingsStream, digestSettingsStreamName, type DigestSettings } from "./digestSettings.js";
import type { DigestSettingsQueries } from "./digestSettingsQueries.js";

export const digestSettingsBody = digestSettingsSchema.partial();

/** 400 unless the settings name a channel of the user's that sends e-mail (or, while disabled, none). */
async function checkChannel(settings: DigestSettings, userId: string, queries: DigestSettingsQueries): Promise<void> {
  if (settings.channel_id === null) {
    if (settings.enabled) throw new ValidationError("channel_id: an enabled digest needs the id of one of your email notification channels");
    return;
  }
  const type = await queries.channelType(userId, settings.channel_id);
  if (type === null) throw new ValidationError("channel_id: no such notification channel of yours");
  if (type !== "email") throw new ValidationError(`channel_id: the channel is of type ${type}; a digest is sent through an email channel`);
}

export function digestRoutes(queries: DigestSettingsQueries, handler: CommandHandler, projections: ProjectionRunner, clock: Clock): Router {
  const router = Router();

  router.get("/digest-settings", async (_req, res) => {
    res.json(await queries.forUser(actorOf(res).userId));
  });

  router.put("/digest-settings", async (req, res) => {
    const changes = parseWith(digestSettingsBody, req.body);
    const ctx = requestContext(res);
    const settings = { ...(await queries.forUser(ctx.userId)), ...changes };
    await checkChannel(settings, ctx.userId, queries);
    const result = await handler.handle(
      digestSettingsStreamName(ctx.userId),
      digestSettingsStream,
      { type: "ChangeDigestSettings", userId: ctx.userId, settings, now: clock.now() },
      eventMetadata(ctx),
    );
    if (result.position) await projections.waitFor(result.position);
    res.json(result.state);
  });

  return router;
}
