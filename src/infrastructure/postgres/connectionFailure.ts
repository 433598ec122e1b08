// Which database errors mean "the database is unreachable" rather than "this query is wrong":
// those become a 503 with Retry-After (src/infrastructure/http/errorHandler.ts), never a 500.

/** Seconds a client should wait before retrying after the database was unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * SQLSTATEs of a server that is shutting down, starting, or full (PostgreSQL appendix A):
 * class 08 connection exception, 53300 too_many_connections, 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now, 57P04 database_dropped... and 57014
 * query_canceled (statement timeout: the statement was rolled back).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53300|53400|57P0[1-4]|57014)$/;

/** Socket-level failures (Node's error codes). */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

/**
 * node-postgres, pg-pool and knex report a lost or unobtainable connection with plain Errors
 * that carry no code; their messages are the only signal (matched here, and only here).
 * Unanchored: knex prefixes the failed query to the driver's message.
 */
const DRIVER_MESSAGES = [
  /Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /Client was closed and is not queryable/,
  /Cannot use a pool after calling end/,
  /Knex: Timeout acquiring a connection/,
  /Query read timeout/,
];

export function isConnectionFailure(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, message, name } = err as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
  if (name === "KnexTimeoutError") return true;
  if (typeof message === "string" && DRIVER_MESSAGES.some((re) => re.test(message))) return true;
  // AggregateError (several addresses refused) and errors wrapped by knex.
  const nested = (err as { errors?: unknown; nativeError?: unknown; cause?: unknown });
  if (Array.isArray(nested.errors) && nested.errors.some(isConnectionFailure)) return true;
  return nested.nativeError !== undefined && nested.nativeError !== err ? isConnectionFailure(nested.nativeError) : false;
}
