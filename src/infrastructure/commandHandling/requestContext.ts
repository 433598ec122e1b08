// What every command carries besides its data: who acted and which request caused it. It
// becomes the metadata of the events the command appends.
import type { EventMetadata } from "../eventStore/eventStore.js";

export interface RequestContext {
  readonly correlationId: string;
  readonly userId?: string;
  readonly apiKeyId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export const eventMetadata = (ctx: RequestContext): EventMetadata => ({
  correlationId: ctx.correlationId,
  causationId: ctx.correlationId,
  ...(ctx.userId ? { userId: ctx.userId } : {}),
  ...(ctx.apiKeyId ? { apiKeyId: ctx.apiKeyId } : {}),
  ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
  ...(ctx.tracestate ? { tracestate: ctx.tracestate } : {}),
});
