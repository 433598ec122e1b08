// The Express application: request ids and telemetry, 405 for methods a path does not
// allow, JSON bodies only (415 otherwise) with a size limit, authentication for everything
// under /api/v1 (except its OpenAPI document and operations described with auth "none":
// sign-in), Idempotency-Key handling of writes, the
// concepts' routers, the one error handler.
import express, { type Router, type RequestHandler } from "express";
import type { Logger } from "../logging/logger.js";
import { errorHandler, notFoundHandler } from "./errorHandler.js";
import { requestTelemetry } from "./requestTelemetry.js";
import { API_PREFIX } from "./apiPrefix.js";
import type { ApiOperation } from "./openapi/operation.js";
import { jsonBodiesOnly, methodNotAllowed, noUndeclaredQuery, OperationTable } from "./operationGuards.js";

export const BODY_LIMIT_BYTES = 16 * 1024;

export interface HttpAppParts {
  readonly logger: Logger;
  readonly authenticate: RequestHandler;
  /** Idempotency-Key handling of writes (after authentication and the body parser). */
  readonly idempotency?: RequestHandler;
  readonly apiRouters: readonly Router[];
  /**
   * Every operation served (the OpenAPI document's): which methods a path allows (405
   * otherwise), which take a body (415 rules). Without it, no such checks (bare test apps).
   */
  readonly operations?: readonly ApiOperation[];
  /** Routes outside /api/v1 without API keys (health, readiness, Prometheus metrics). */
  readonly publicRouter?: Router;
  /** Routes under /api/v1 without authentication (the OpenAPI document). */
  readonly publicApiRouter?: Router;
  /** Express's "trust proxy" (SSLTRACKR_TRUST_PROXY): decides req.ip and req.secure. Default: trust no proxy. */
  readonly trustProxy?: boolean | number | string;
  /** Larger body limits (bytes) for paths under /api/v1 that take many items (bulk imports). */
  readonly bodyLimits?: Readonly<Record<string, number>>;
}

export function createHttpApp(parts: HttpAppParts): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.set("trust proxy", parts.trustProxy ?? false);
  app.use(requestTelemetry(parts.logger));
  const operations = new OperationTable(parts.operations ?? []);
  app.use(methodNotAllowed(operations));
  if (parts.publicRouter) app.use(parts.publicRouter);
  if (parts.publicApiRouter) app.use(API_PREFIX, parts.publicApiRouter);
  const api = express.Router();
  // An operation without authentication (sign-in) skips it, and Idempotency-Key handling,
  // which is per user; its own guards (rate limits) apply instead.
  const open = (req: express.Request) => operations.at(req)?.get(req.method)?.auth === "none";
  const unlessOpen = (handler: RequestHandler): RequestHandler => (req, res, next) => (open(req) ? next() : handler(req, res, next));
  api.use(unlessOpen(parts.authenticate));
  api.use(jsonBodiesOnly(operations));
  api.use(noUndeclaredQuery(operations));
  const json = (limit: number) => express.json({ limit, strict: true, type: () => true });
  const parsers = new Map(Object.entries(parts.bodyLimits ?? {}).map(([path, limit]) => [path, json(limit)]));
  const defaultParser = json(BODY_LIMIT_BYTES);
  api.use((req, res, next) => (parsers.get(req.path) ?? defaultParser)(req, res, next));
  if (parts.idempotency) api.use(unlessOpen(parts.idempotency));
  for (const router of parts.apiRouters) api.use(router);
  app.use(API_PREFIX, api);
  app.use(notFoundHandler);
  app.use(errorHandler(parts.logger));
  return app;
}
