// The Express application: request ids and telemetry, JSON bodies with a size limit,
// authentication for everything under /api/v1 (except its OpenAPI document), the concepts'
// routers, the one error handler.
import express, { type Router, type RequestHandler } from "express";
import type { Logger } from "../logging/logger.js";
import { errorHandler, notFoundHandler } from "./errorHandler.js";
import { requestTelemetry } from "./requestTelemetry.js";
import { API_PREFIX } from "./apiPrefix.js";

export const BODY_LIMIT_BYTES = 16 * 1024;

export interface HttpAppParts {
  readonly logger: Logger;
  readonly authenticate: RequestHandler;
  readonly apiRouters: readonly Router[];
  /** Routes outside /api/v1 without API keys (health, readiness, Prometheus metrics). */
  readonly publicRouter?: Router;
  /** Routes under /api/v1 without authentication (the OpenAPI document). */
  readonly publicApiRouter?: Router;
}

export function createHttpApp(parts: HttpAppParts): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(requestTelemetry(parts.logger));
  if (parts.publicRouter) app.use(parts.publicRouter);
  if (parts.publicApiRouter) app.use(API_PREFIX, parts.publicApiRouter);
  const api = express.Router();
  api.use(parts.authenticate);
  api.use(express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: () => true }));
  for (const router of parts.apiRouters) api.use(router);
  app.use(API_PREFIX, api);
  app.use(notFoundHandler);
  app.use(errorHandler(parts.logger));
  return app;
}
