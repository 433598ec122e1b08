// What each concept says about its HTTP operations, for the OpenAPI document: the same zod
// schemas the routes validate requests with, and zod schemas of what they answer.
import type { z } from "zod";

export type HttpMethod = "get" | "post" | "put" | "delete";

export interface ApiResponse {
  readonly description: string;
  /** The JSON body; none for an answer without one. */
  readonly schema?: z.ZodType;
  /**
   * A text body of this media type: instead of JSON without a `schema` (Prometheus exposition),
   * as an alternative the client asks for with Accept with one (a report's CSV).
   */
  readonly textMediaType?: string;
}

/** Error answers an operation gives itself; those of the middleware are added for it. */
export type OperationError = 400 | 401 | 404 | 406 | 409 | 429 | 503;

export interface ApiOperation {
  /** The operationId: unique, stable, what generated clients name their method. */
  readonly id: string;
  readonly method: HttpMethod;
  /** OpenAPI form, relative to the server: `/domains/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /**
   * `bearer`: an API key, with the read permission for GET and write otherwise, or a dashboard
   *   session cookie (with X-CSRF-Token on writes).
   * `session`: a dashboard session cookie only.
   * `metricsToken`: the Prometheus scrape token (SSLTRACKR_METRICS_TOKEN), not an API key.
   */
  readonly auth: "bearer" | "session" | "metricsToken" | "none";
  /** The published contract (../shared/spec/api-v1.md) or an SSLTrackr addition. */
  readonly origin: "spec" | "addition";
  /** The base URL when it is not the document's (the probes live outside /api/v1). */
  readonly server?: string;
  readonly rateLimit?: { readonly limit: number; readonly windowSeconds: number };
  readonly request?: {
    readonly params?: z.ZodObject;
    readonly query?: z.ZodObject;
    readonly body?: z.ZodType;
  };
  /** The answers that are not errors, by status. */
  readonly responses: Readonly<Record<number, ApiResponse>>;
  /**
   * Errors of the operation itself. 400 (body parser), 401 and 403 (authentication), 422
   * (Idempotency-Key reused), 429 (rate limit), 503 (database unreachable) and 500 come from
   * middleware and are added where it runs.
   */
  readonly errors?: readonly OperationError[];
}
