// The request context of an authenticated request: correlation id and acting user/key.
// (Trace context is added by the command handler from the active span.)
import type { Request, Response } from "express";
import type { RequestContext } from "../commandHandling/requestContext.js";
import { actorOf } from "./authentication.js";

export function requestContext(_req: Request, res: Response): RequestContext & { userId: string } {
  const actor = actorOf(res);
  return {
    correlationId: String(res.locals["requestId"]),
    userId: actor.userId,
    apiKeyId: actor.keyId,
  };
}
