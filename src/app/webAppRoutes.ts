// The dashboard (web/, built by `npm run build` into dist/web) served at `/` by the API process.
// Files under /assets/ carry a content hash in their names, so they are cached for a year and
// never revalidated; index.html is answered for every other GET of a page path (the app's
// own routes: /domains/<id>, /settings ...) and is always revalidated, so a deploy is picked up
// at the next load. Paths under /api are never answered here: the API keeps its JSON 404
// and 405. Headers follow OWASP's guidance for an app signed in with a cookie: no framing
// (clickjacking), a same-origin Content-Security-Policy, no MIME sniffing.
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import express, { Router, type Response } from "express";
import { API_PREFIX } from "../infrastructure/http/apiPrefix.js";

/** dist/web of this package, from src/app (run by tsx) or dist/src/app (built). */
export function defaultWebAppDir(): string {
  const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
  return basename(root) === "dist" ? join(root, "web") : join(root, "dist", "web");
}

const YEAR_SECONDS = 365 * 24 * 3600;

// uPlot and React set element styles from script, hence style-src 'unsafe-inline'; scripts
// come only from this origin.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

const pageHeaders = (res: Response) => {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
};

/** /api and below (every API version, present or not) keep the API's JSON answers. */
const API_ROOT = API_PREFIX.slice(0, API_PREFIX.lastIndexOf("/"));
const isApiPath = (path: string) => path === API_ROOT || path.startsWith(`${API_ROOT}/`);
/** A page of the app (no file extension in the last segment), not a missing file. */
const isPagePath = (path: string) => !/\.[^/]*$/.test(path);

/** GET/HEAD of the dashboard's files and pages; anything else goes on to the API's handlers. */
export function webAppRoutes(dir = defaultWebAppDir()): Router {
  const router = Router();
  const index = join(dir, "index.html");
  router.use(
    "/assets",
    express.static(join(dir, "assets"), {
      index: false,
      immutable: true,
      maxAge: YEAR_SECONDS * 1000,
      setHeaders: (res) => res.setHeader("X-Content-Type-Options", "nosniff"),
    }),
  );
  // Middleware, not a route: the API's route table (and the OpenAPI coverage test) lists
  // operations only.
  router.use((req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || isApiPath(req.path) || !isPagePath(req.path)) return next();
    pageHeaders(res);
    res.setHeader("Cache-Control", "no-cache");
    if (!existsSync(index)) {
      res.status(503).type("text/plain").send("The dashboard is not built: run `npm run build` (it builds web/ into dist/web).\n");
      return;
    }
    res.sendFile(index);
  });
  return router;
}
