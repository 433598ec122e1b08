// Typed application errors. Each carries its HTTP meaning; the HTTP layer maps them to
// {"error": message} in exactly one place (src/infrastructure/http/errorHandler.ts).

export abstract class AppError extends Error {
  abstract readonly status: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  /** The protection space of the answer's `WWW-Authenticate: Bearer realm="..."` challenge. */
  constructor(
    message: string,
    readonly realm = "ssltrackr",
  ) {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
}

export class NotFoundError extends AppError {
  readonly status = 404;
}

export class ConflictError extends AppError {
  readonly status = 409;
}

/**
 * A retried create (same Idempotency-Key) of something whose secret is shown only once (an
 * API key, a webhook's signing secret): the first attempt created it, its secret cannot be
 * shown again.
 */
export class SecretShownOnceError extends ConflictError {
  constructor(what: string, id: string) {
    super(
      `An earlier request with this Idempotency-Key created ${what} ${id}; its secret is shown only once. ` +
        `If you did not receive it, delete ${what} ${id} and create another`,
    );
  }
}

/** The request cannot be processed as sent, e.g. an Idempotency-Key reused with another body. */
/** 406: the client accepts none of the media types the resource comes in. */
export class NotAcceptableError extends AppError {
  readonly status = 406;
}

export class UnprocessableError extends AppError {
  readonly status = 422;
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`Rate limit exceeded. Try again in ${retryAfterSeconds} seconds.`);
  }
}

/**
 * The service could not finish now (a projection far behind, the database or event store
 * unreachable); retrying after `retryAfterSeconds` is safe. Answered with `Retry-After`.
 */
export class UnavailableError extends AppError {
  readonly status = 503;
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}
