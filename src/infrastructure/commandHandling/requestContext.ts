// What every command carries besides its data: who acted and which request caused it. It
// becomes the metadata of the events the command appends.
import type { EventMetadata } from "../eventStore/eventStore.js";

export interface RequestContext {
  readonly correlationId: string;
  readonly userId?: string;
  readonly apiKeyId?: string;
  /** A dashboard session the user acted through (instead of an API key). */
  readonly sessionId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The request's Idempotency-Key: ids of what the command creates are derived from it. */
  readonly idempotencyKey?: string;
}

export const eventMetadata = (ctx: RequestContext): EventMetadata => ({
  correlationId: ctx.correlationId,
  causationId: ctx.correlationId,
  ...(ctx.userId ? { userId: ctx.userId } : {}),
  ...(ctx.apiKeyId ? { apiKeyId: ctx.apiKeyId } : {}),
  ...(ctx.sessionId ? { sessionId: ctx.sessionId } : {}),
  ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
  ...(ctx.tracestate ? { tracestate: ctx.tracestate } : {}),
  ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
});
