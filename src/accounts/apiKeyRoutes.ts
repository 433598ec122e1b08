// HTTP routes of /api-keys: POST as published, plus GET (never shows secrets) and DELETE.
import { Router } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { answerShownOnce } from "../infrastructure/http/idempotency.js";
import { rateLimiter } from "../infrastructure/http/rateLimiter.js";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { paginationQuery, uuidParam } from "../infrastructure/http/schemas.js";
import { instantInput } from "../shared/instant.js";
import { parseQuery, parseWith } from "../infrastructure/http/validation.js";
import { SecretShownOnceError } from "../shared/errors.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import type { AccountCommands } from "./accountCommands.js";
import type { ApiKeyQueries } from "./apiKeyQueries.js";
import { requireFutureExpiry } from "./accountDecider.js";
import { permissionSchema } from "./events.js";

export const createApiKeyBody = z.strictObject({
  label: z.string().trim().min(1).max(100),
  permissions: z.array(permissionSchema).min(1).max(2).default(["read"]),
  expires_at: instantInput().nullable().optional(),
});

export const listApiKeysQuery = z.strictObject(paginationQuery);

export const revokeApiKeyQuery = z.strictObject({
  cascade: z.enum(["true", "false"]).default("false"),
});

export function apiKeyRoutes(
  commands: AccountCommands,
  queries: ApiKeyQueries,
  projections: ProjectionRunner,
  knex: Knex,
  clock: Clock,
): Router {
  const router = Router();

  const createQuota = rateLimiter(knex, clock, { name: "api-keys", limit: 5, windowSeconds: 60 });
  router.post("/api-keys", async (req, res) => {
    const body = parseWith(createApiKeyBody, req.body);
    const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
    requireFutureExpiry(expiresAt, clock.now());
    await createQuota(res);
    const actor = actorOf(res);
    const { keyId, key, created, position } = await commands.createApiKey(requestContext(res), actor.userId, actor, {
      label: body.label,
      permissions: body.permissions,
      expiresAt,
    });
    if (position) await projections.waitFor(position);
    answerShownOnce(res, new SecretShownOnceError("API key", keyId).message);
    res.status(201).json({
      id: keyId,
      label: created.label,
      key,
      permissions: created.permissions,
      expires_at: created.expiresAt,
      last_used_at: null,
      created_at: created.createdAt,
    });
  });

  router.get("/api-keys", async (req, res) => {
    const q = parseQuery(listApiKeysQuery, req.query);
    res.json(await queries.list(actorOf(res).userId, q.page, q.per_page));
  });

  router.delete("/api-keys/:id", async (req, res) => {
    const { id } = parseWith(uuidParam("API key"), req.params);
    const { cascade } = parseQuery(revokeApiKeyQuery, req.query);
    const { revokedKeyIds, position } = await commands.revokeApiKey(requestContext(res), actorOf(res), id, cascade === "true");
    if (position) await projections.waitFor(position);
    for (const revoked of revokedKeyIds) queries.forget(revoked);
    res.json({ message: "API key revoked", revoked_key_ids: revokedKeyIds });
  });

  return router;
}
