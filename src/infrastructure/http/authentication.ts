// Bearer-key authentication and scope checks: read scope for GET, write scope for
// everything that changes state.
import type { RequestHandler, Response } from "express";
import { API_KEY_PREFIX, hashApiKey } from "../../accounts/apiKeySecret.js";
import type { ApiKeyQueries } from "../../accounts/apiKeyQueries.js";
import type { Actor } from "../../accounts/actor.js";
import type { KeyUsageTracker } from "../../accounts/keyUsageTracker.js";
import type { Clock } from "../../shared/clock.js";
import { ForbiddenError, UnauthorizedError } from "../../shared/errors.js";

export const actorOf = (res: Response): Actor => {
  const actor = res.locals["actor"] as Actor | undefined;
  if (!actor) throw new UnauthorizedError("Missing or invalid API key");
  return actor;
};

export function authenticate(keys: ApiKeyQueries, usage: KeyUsageTracker, clock: Clock): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    const key = match?.[1];
    if (!key || !key.startsWith(API_KEY_PREFIX) || key.length > 200) {
      throw new UnauthorizedError("Missing or invalid API key");
    }
    const now = clock.now();
    const actor = await keys.authenticate(hashApiKey(key), now);
    if (!actor) throw new UnauthorizedError("Missing or invalid API key");
    const needed = req.method === "GET" || req.method === "HEAD" ? "read" : "write";
    if (!actor.permissions.includes(needed)) {
      throw new ForbiddenError(`This API key does not have the ${needed} permission`);
    }
    usage.record(actor.keyId, now);
    res.locals["actor"] = actor;
    next();
  };
}
