// The request context of an authenticated request: correlation id and acting user/key.
// (Trace context is added by the command handler from the active span.)
import type { Response } from "express";
import type { RequestContext } from "../commandHandling/requestContext.js";
import { actorOf } from "./authentication.js";

export function requestContext(res: Response): RequestContext & { userId: string } {
  const actor = actorOf(res);
  return {
    correlationId: String(res.locals["requestId"]),
    userId: actor.userId,
    apiKeyId: actor.keyId,
  };
}
