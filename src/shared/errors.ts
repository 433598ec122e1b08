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

export class RateLimitedError extends AppError {
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`Rate limit exceeded. Try again in ${retryAfterSeconds} seconds.`);
  }
}

/** The service could not finish in time (e.g. a projection far behind); retry is safe. */
export class UnavailableError extends AppError {
  readonly status = 503;
}
