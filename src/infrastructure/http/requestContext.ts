// The request context of an authenticated request: correlation id and acting user/key.
import type { Request, Response } from "express";
import type { RequestContext } from "../commandHandling/requestContext.js";
import { actorOf } from "./authentication.js";

export function requestContext(req: Request, res: Response): RequestContext & { userId: string } {
  const actor = actorOf(res);
  return {
    correlationId: String(res.locals["requestId"]),
    userId: actor.userId,
    apiKeyId: actor.keyId,
    ...(req.get("traceparent") ? { traceparent: req.get("traceparent") } : {}),
    ...(req.get("tracestate") ? { tracestate: req.get("tracestate") } : {}),
  };
}
