// Tracing helpers over the OpenTelemetry API. Without an SDK registered (OTEL_* unset) the
// API is a no-op, so instrumented code costs next to nothing.
import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";

export const tracer = trace.getTracer("ssltrackr");

/** Runs `fn` in a new span (child of the active one, or of `parent`), ending it after. */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  options: { parent?: Context; kind?: SpanKind } = {},
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes, kind: options.kind ?? SpanKind.INTERNAL }, options.parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `fn` once for several events, inside a span per event that continues the trace of the
 * command that recorded it (so a request's trace shows the projectors applying its events).
 */
export async function withEventSpans<T>(
  name: string,
  events: readonly { readonly type: string; readonly metadata: { traceparent?: unknown; tracestate?: unknown } }[],
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const spans = events.map((e) => tracer.startSpan(`${name} ${e.type}`, { attributes, kind: SpanKind.INTERNAL }, contextFrom(e.metadata)));
  try {
    return await fn();
  } catch (err) {
    for (const span of spans) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    }
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}

/** W3C trace context of the active span, to store in event metadata. */
export function currentTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return {
    ...(carrier["traceparent"] ? { traceparent: carrier["traceparent"] } : {}),
    ...(carrier["tracestate"] ? { tracestate: carrier["tracestate"] } : {}),
  };
}

/** The context an event (or incoming request) was caused in, to continue its trace. */
export function contextFrom(carrier: { traceparent?: unknown; tracestate?: unknown }): Context {
  const headers: Record<string, string> = {};
  if (typeof carrier.traceparent === "string") headers["traceparent"] = carrier.traceparent;
  if (typeof carrier.tracestate === "string") headers["tracestate"] = carrier.tracestate;
  return propagation.extract(context.active(), headers);
}

export { SpanKind, SpanStatusCode };
