// The one place where errors become HTTP responses: typed application errors map to their
// status; body-parser failures to 400 (413 for a body over the limit, 415 for a charset or
// encoding it cannot read); a
// database that cannot be reached to 503; anything else is a 500 that is logged, never leaked.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, RateLimitedError, UnauthorizedError, UnavailableError } from "../../shared/errors.js";
import type { Logger } from "../logging/logger.js";
import { DATABASE_RETRY_AFTER_SECONDS, isConnectionFailure } from "../postgres/connectionFailure.js";

/**
 * A lost or refused database connection. A read is simply unavailable; a write may have
 * committed before the connection was lost, and only a retry with the same Idempotency-Key
 * can tell without risking a duplicate.
 */
const databaseUnavailable = (method: string): UnavailableError =>
  new UnavailableError(
    method === "GET" || method === "HEAD"
      ? "The database is unavailable; try again shortly"
      : "The database became unavailable while handling this request; the change may have been applied. " +
          "Retry with the same Idempotency-Key to get its outcome without applying it twice",
    DATABASE_RETRY_AFTER_SECONDS,
  );

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  /** The body's text, on a parse failure. */
  body?: unknown;
}

/** Whether `text` is JSON at all: the parser takes only objects and arrays (strict), so `null` or `42` fail it too. */
const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const bodyParserMessage = (err: BodyParserError): string | undefined => {
  switch (err.type ?? "") {
    case "entity.parse.failed":
      return typeof err.body === "string" && isJson(err.body) ? "The body must be a JSON object" : "Malformed JSON body";
    case "entity.too.large":
      return `Request body too large (limit ${err.limit ?? "exceeded"} bytes)`;
    case "encoding.unsupported":
    case "charset.unsupported":
      return "Unsupported body encoding";
    case "request.aborted":
      return "Request aborted";
    default:
      return undefined;
  }
};

/** Other client errors raised by Express or body-parser: bad percent-encoding in the path,
 * a corrupt gzip body, a body shorter than its Content-Length... (http-errors, 4xx status). */
const isClientError = (err: object): boolean => {
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" && status >= 400 && status < 500;
};

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: "Not found" });
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (raw: unknown, req, res, _next) => {
    const err = !(raw instanceof AppError) && isConnectionFailure(raw) ? databaseUnavailable(req.method) : raw;
    if (err !== raw) logger.warn("database unavailable", { err: raw, method: req.method, path: req.path });
    if (err instanceof RateLimitedError || err instanceof UnavailableError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
    // A 401 names how to authenticate (RFC 9110 §11.6.1): a bearer token (RFC 6750 §3) of its realm.
    if (err instanceof UnauthorizedError) res.setHeader("WWW-Authenticate", `Bearer realm="${err.realm}"`);
    if (err instanceof AppError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    const parserMessage =
      typeof err === "object" && err !== null
        ? (bodyParserMessage(err as BodyParserError) ?? (isClientError(err) ? "Invalid request" : undefined))
        : undefined;
    if (parserMessage) {
      // A body over the limit is 413 Content Too Large (RFC 9110 §15.5.14); a charset or
      // Content-Encoding the parser cannot read is an unsupported media type (§15.5.16), like a
      // body that is not JSON.
      const status = (err as BodyParserError).status;
      res.status(status === 413 || status === 415 ? status : 400).json({ error: parserMessage });
      return;
    }
    logger.error("unhandled error", { err, method: req.method, path: req.path });
    if (!res.headersSent) res.status(500).json({ error: "Internal server error" });
  };
}
