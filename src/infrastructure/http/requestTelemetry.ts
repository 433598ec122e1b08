// Per request: a request id (echoed as X-Request-Id and used as correlation id), a server
// span continuing the caller's trace (traceparent header), the duration metric, and one
// structured log line.
import { randomUUID } from "node:crypto";
import { context, isSpanContextValid, trace } from "@opentelemetry/api";
import type { Request, RequestHandler } from "express";
import type { Logger } from "../logging/logger.js";
import { API_PREFIX } from "./apiPrefix.js";
import { serviceMetrics } from "../telemetry/metrics.js";
import { contextFrom, SpanKind, SpanStatusCode, tracer } from "../telemetry/tracing.js";

/**
 * The matched route pattern (low cardinality), not the concrete path. Express resets
 * req.baseUrl when an error leaves the router, so the mount point comes from the URL.
 */
const routeOf = (req: Request): string => {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== "string") return "unmatched";
  return req.originalUrl.startsWith(`${API_PREFIX}/`) ? `${API_PREFIX}${path}` : path;
};

export function requestTelemetry(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.locals["requestId"] = requestId;
    res.setHeader("X-Request-Id", requestId);
    const parent = contextFrom({ traceparent: req.get("traceparent"), tracestate: req.get("tracestate") });
    const span = tracer.startSpan(`${req.method}`, { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method } }, parent);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const route = routeOf(req);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ "http.route": route, "http.response.status_code": res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      serviceMetrics().httpRequestDuration.record(seconds, { "http.request.method": req.method, "http.route": route, "http.response.status_code": res.statusCode });
      logger.info("request", {
        requestId,
        ...(isSpanContextValid(span.spanContext()) ? { traceId: span.spanContext().traceId } : {}),
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e6) / 1e3,
      });
    });
    context.with(trace.setSpan(parent, span), () => next());
  };
}
