// The one place where errors become HTTP responses: typed application errors map to their
// status; body-parser failures to 400 (415 for a charset or encoding it cannot read);
// anything else is a 500 that is logged, never leaked.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, RateLimitedError } from "../../shared/errors.js";
import type { Logger } from "../logging/logger.js";

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

const bodyParserMessage = (err: BodyParserError): string | undefined => {
  switch (err.type ?? "") {
    case "entity.parse.failed":
      return "Malformed JSON body";
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
  return (err: unknown, req, res, _next) => {
    if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
    if (err instanceof AppError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    const parserMessage =
      typeof err === "object" && err !== null
        ? (bodyParserMessage(err as BodyParserError) ?? (isClientError(err) ? "Invalid request" : undefined))
        : undefined;
    if (parserMessage) {
      // A charset or Content-Encoding the parser cannot read is an unsupported media type
      // (RFC 9110 §15.5.16), like a body that is not JSON.
      res.status((err as BodyParserError).status === 415 ? 415 : 400).json({ error: parserMessage });
      return;
    }
    logger.error("unhandled error", { err, method: req.method, path: req.path });
    if (!res.headersSent) res.status(500).json({ error: "Internal server error" });
  };
}
