// The request context of an authenticated request: correlation id, acting user/key (or session) and the
// request's Idempotency-Key.
// (Trace context is added by the command handler from the active span.)
import type { Response } from "express";
import type { RequestContext } from "../commandHandling/requestContext.js";
import { actorOf } from "./authentication.js";
import { idempotencyKeyOf } from "./idempotency.js";

export function requestContext(res: Response): RequestContext & { userId: string } {
  const actor = actorOf(res);
  const idempotencyKey = idempotencyKeyOf(res);
  return {
    correlationId: String(res.locals["requestId"]),
    userId: actor.userId,
    ...(actor.kind === "apiKey" ? { apiKeyId: actor.keyId } : { sessionId: actor.sessionId }),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}
