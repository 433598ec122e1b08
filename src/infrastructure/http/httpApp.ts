// The Express application: request ids, JSON bodies with a size limit, authentication for
// everything under /api/v1, the concepts' routers, and the one error handler.
import { randomUUID } from "node:crypto";
import express, { type Router, type RequestHandler } from "express";
import type { Logger } from "../logging/logger.js";
import { errorHandler, notFoundHandler } from "./errorHandler.js";

export const BODY_LIMIT_BYTES = 16 * 1024;

export interface HttpAppParts {
  readonly logger: Logger;
  readonly authenticate: RequestHandler;
  readonly apiRouters: readonly Router[];
  /** Routes outside /api/v1 without authentication (health, readiness). */
  readonly publicRouter?: Router;
}

export function createHttpApp(parts: HttpAppParts): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use((req, res, next) => {
    const incoming = req.get("x-request-id");
    const id = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.locals["requestId"] = id;
    res.setHeader("X-Request-Id", id);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      parts.logger.info("request", {
        requestId: id,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  });
  if (parts.publicRouter) app.use(parts.publicRouter);
  const api = express.Router();
  api.use(parts.authenticate);
  api.use(express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: () => true }));
  for (const router of parts.apiRouters) api.use(router);
  app.use("/api/v1", api);
  app.use(notFoundHandler);
  app.use(errorHandler(parts.logger));
  return app;
}
