// Authentication of /api/v1: an API key (`Authorization: Bearer ssa_...`), else a dashboard
// session cookie. A key, when the header is sent, decides alone (a cookie cannot rescue a bad
// one) and needs no CSRF token: browsers never add it by themselves. A session acts with all
// of its user's permissions, and its state-changing requests must carry the session's CSRF
// token in X-CSRF-Token (OWASP CSRF Prevention Cheat Sheet, synchronizer token): the
// SameSite=Lax cookie alone would still go with same-site requests from other origins.
// Scope checks: read for GET, write for everything that changes state.
import type { RequestHandler, Response } from "express";
import { API_KEY_PREFIX, hashApiKey, hashesEqual } from "../../accounts/apiKeySecret.js";
import type { ApiKeyQueries } from "../../accounts/apiKeyQueries.js";
import type { Actor } from "../../accounts/actor.js";
import type { KeyUsageTracker } from "../../accounts/keyUsageTracker.js";
import { CSRF_HEADER, rememberSession, SESSION_COOKIE } from "../../accounts/sessionCookie.js";
import type { SessionStore } from "../../accounts/sessionStore.js";
import type { Clock } from "../../shared/clock.js";
import { ForbiddenError, UnauthorizedError } from "../../shared/errors.js";
import { cookieValue } from "./cookies.js";

export const actorOf = (res: Response): Actor => {
  const actor = res.locals["actor"] as Actor | undefined;
  if (!actor) throw new UnauthorizedError("Missing or invalid API key");
  return actor;
};

export interface Authenticators {
  readonly keys: ApiKeyQueries;
  readonly usage: KeyUsageTracker;
  /** Dashboard sessions; without it, API keys only. */
  readonly sessions?: SessionStore;
  readonly clock: Clock;
}

/** Reads (RFC 9110 §9.2.1 safe methods that the API serves); everything else changes state. */
const READS: ReadonlySet<string> = new Set(["GET", "HEAD"]);

export function authenticate({ keys, usage, sessions, clock }: Authenticators): RequestHandler {
  return async (req, res, next) => {
    const now = clock.now();
    const authorization = req.get("authorization");
    const cookie = sessions && authorization === undefined ? cookieValue(req, SESSION_COOKIE) : undefined;
    let actor: Actor;
    if (sessions && cookie !== undefined) {
      const session = await sessions.use(cookie, now);
      if (!session) throw new UnauthorizedError("Not signed in, or the session has ended: sign in again");
      const sent = req.get(CSRF_HEADER);
      if (!READS.has(req.method) && !(sent && hashesEqual(sent, session.csrfToken))) {
        throw new ForbiddenError("CSRF token missing or invalid");
      }
      rememberSession(res, session);
      actor = { kind: "session", userId: session.userId, sessionId: session.id, permissions: ["read", "write"] };
    } else {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
      const key = match?.[1];
      if (!key || !key.startsWith(API_KEY_PREFIX) || key.length > 200) {
        throw new UnauthorizedError("Missing or invalid API key");
      }
      const keyActor = await keys.authenticate(hashApiKey(key), now);
      if (!keyActor) throw new UnauthorizedError("Missing or invalid API key");
      actor = keyActor;
    }
    const needed = READS.has(req.method) ? "read" : "write";
    if (!actor.permissions.includes(needed)) {
      throw new ForbiddenError(`This API key does not have the ${needed} permission`);
    }
    if (actor.kind === "apiKey") usage.record(actor.keyId, now);
    res.locals["actor"] = actor;
    next();
  };
}
