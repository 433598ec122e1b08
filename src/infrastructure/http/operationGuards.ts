// What the described operations (the OpenAPI document's) allow, enforced before any route
// runs: a known path asked with another method is a 405 with `Allow` (RFC 9110 §15.5.6), a
// body that is not JSON is a 415 (RFC 9110 §15.5.16), never parsed as JSON, and a query
// parameter on an operation that declares none is a 400 (as unknown parameters are where
// the operation's query schema decides).
import type { Request, RequestHandler } from "express";
import { API_PREFIX } from "./apiPrefix.js";
import type { ApiOperation } from "./openapi/operation.js";

interface PathEntry {
  readonly pattern: RegExp;
  readonly operations: ReadonlyMap<string, ApiOperation>;
}

/** `/domains/{id}` -> a pattern of the full path, as Express matches it (any case, optional trailing slash). */
const pathPattern = (fullPath: string) =>
  new RegExp(`^${fullPath.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+")}/?$`, "i");

export class OperationTable {
  private readonly paths: readonly PathEntry[];

  constructor(operations: readonly ApiOperation[]) {
    const byPath = new Map<string, Map<string, ApiOperation>>();
    for (const op of operations) {
      const server = op.server ?? API_PREFIX;
      const fullPath = `${server === "/" ? "" : server}${op.path}`;
      const methods = byPath.get(fullPath) ?? new Map<string, ApiOperation>();
      methods.set(op.method.toUpperCase(), op);
      byPath.set(fullPath, methods);
    }
    // A literal segment wins over a parameter (`/domains/bulk` is not `/domains/{id}`), as
    // the routes are registered.
    const parameters = (fullPath: string) => fullPath.split("{").length;
    this.paths = [...byPath]
      .sort(([a], [b]) => parameters(a) - parameters(b))
      .map(([fullPath, ops]) => ({ pattern: pathPattern(fullPath), operations: ops }));
  }

  /** The operations at the request's path, by method; undefined for an unknown path. */
  at(req: Request): ReadonlyMap<string, ApiOperation> | undefined {
    const path = req.baseUrl + req.path;
    return this.paths.find((p) => p.pattern.test(path))?.operations;
  }
}

/** The methods a path answers: its operations', HEAD with GET (Express serves it), OPTIONS. */
const allowHeader = (operations: ReadonlyMap<string, ApiOperation>) => {
  const methods = [...operations.keys()];
  if (methods.includes("GET")) methods.push("HEAD");
  return [...methods, "OPTIONS"].join(", ");
};

/** 405 with `Allow` for a known path and another method; OPTIONS answers 204 with `Allow`. */
export function methodNotAllowed(table: OperationTable): RequestHandler {
  return (req, res, next) => {
    const operations = table.at(req);
    const method = req.method === "HEAD" ? "GET" : req.method;
    if (!operations || operations.has(method)) return next();
    res.setHeader("Allow", allowHeader(operations));
    if (req.method === "OPTIONS") {
      res.status(204).end();
      return;
    }
    res.status(405).json({ error: `Method ${req.method} not allowed on this path (allowed: ${allowHeader(operations)})` });
  };
}

/** `application/json` or a `+json` type (RFC 6839), any parameters (charset is body-parser's). */
const isJsonMediaType = (contentType: string | undefined) => {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
};

const hasBody = (req: Request) => req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;

/**
 * 415 for content that is not `application/json` (or `+json`): text, forms, no Content-Type.
 * An operation that takes a body needs the JSON Content-Type even when the body is missing;
 * one that takes none accepts a request without a body.
 */
export function jsonBodiesOnly(table: OperationTable): RequestHandler {
  return (req, res, next) => {
    const operation = table.at(req)?.get(req.method);
    if (!operation || isJsonMediaType(req.headers["content-type"]) || (!operation.request?.body && !hasBody(req))) return next();
    res.setHeader("Accept", "application/json");
    res.status(415).json({ error: "Unsupported Media Type: send the body as JSON with Content-Type: application/json" });
  };
}

/** 400 for query parameters on an operation that takes none (its schema rejects unknown ones itself). */
export function noUndeclaredQuery(table: OperationTable): RequestHandler {
  return (req, res, next) => {
    const operation = table.at(req)?.get(req.method === "HEAD" ? "GET" : req.method);
    const names = Object.keys(req.query as Record<string, unknown>);
    if (!operation || operation.request?.query || names.length === 0) return next();
    res.status(400).json({ error: `Unknown query parameter(s): ${names.join(", ")}` });
  };
}
