// The OpenAPI 3.1 document of a list of operations: the answers every authenticated or
// rate-limited operation can give (the middleware's), shared error responses and headers,
// and the zod schemas rendered as components.
import { z } from "zod";
import { SchemaComponents, named, type JsonSchema } from "./jsonSchema.js";
import type { ApiOperation, ApiResponse } from "./operation.js";

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  /** The base URL of the operations that do not name their own. */
  readonly server: string;
}

const errorBody = named("Error", z.strictObject({ error: z.string() }), "Every error answer: a message naming the problem.");

const header = (description: string, type: "string" | "integer") => ({ description, required: true, schema: { type } });

const headers = {
  "X-Request-Id": header("The request id (the caller's, if safe, or a new UUID); the correlation id of the events the request caused.", "string"),
  "RateLimit-Limit": header("Requests allowed per window.", "integer"),
  "RateLimit-Remaining": header("Requests left in the current window.", "integer"),
  "RateLimit-Reset": header("Seconds until the oldest request in the window leaves it.", "integer"),
  "RateLimit-Policy": header("The limit and its window in seconds, e.g. `10;w=60`.", "string"),
  "Retry-After": header("Seconds to wait before trying again.", "integer"),
  "WWW-Authenticate": header('How to authenticate: `Bearer realm="ssltrackr"`, an API key as a bearer token (RFC 6750 §3).', "string"),
};
type HeaderName = keyof typeof headers;

const headerRefs = (names: readonly HeaderName[]) =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const RATE_LIMIT_HEADERS: readonly HeaderName[] = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"];

/** The shared error answers, by status: component name and meaning. */
const errorResponses = {
  400: ["BadRequest", "Invalid input: malformed JSON, wrong types, unknown fields, out-of-range values. The message names the field."],
  401: ["Unauthorized", "Missing, malformed, unknown, revoked or expired API key, or a session cookie that is unknown, signed out or expired."],
  403: [
    "Forbidden",
    "The API key lacks the permission (read for GET, write otherwise) or the action is not allowed to it; or a session's write without its `X-CSRF-Token`.",
  ],
  404: ["NotFound", "No such resource for the caller (another user's is a 404 too)."],
  406: ["NotAcceptable", "The Accept header names none of the media types the resource comes in (the message lists them)."],
  409: ["Conflict", "The resource already exists or is busy."],
  413: ["ContentTooLarge", "The body is over the operation's size limit (16 KiB; 2 MiB for bulk imports), counted after any Content-Encoding is undone. The message gives the limit in bytes."],
  415: ["UnsupportedMediaType", "The body is not sent as JSON (`Content-Type: application/json` or a `+json` type), or in a charset or Content-Encoding the server cannot read. `Accept` names the type expected."],
  422: ["IdempotencyKeyReused", "The Idempotency-Key was already used, within 24 hours, with a different request (method, path or body)."],
  429: ["TooManyRequests", "Rate limit exceeded; Retry-After says when to try again."],
  500: ["InternalError", "A bug; the details are logged, never returned."],
  503: [
    "Unavailable",
    "Try again after Retry-After seconds. The database or event store could not be reached: a write's message says the " +
      "change may have been applied (retry it with the same Idempotency-Key to learn its outcome without applying it twice). " +
      "Or the change is stored, but the read models did not include it in time; a GET shortly shows it.",
  ],
} as const;
type ErrorStatus = keyof typeof errorResponses;

/** Errors raised after the rate limiter took its token (it runs after authentication, the body parser and validation). */
const AFTER_RATE_LIMITER: ReadonlySet<number> = new Set([404, 409, 503]);

/** Writes take an Idempotency-Key (src/infrastructure/http/idempotency.ts). */
const idempotencyKeyParameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "A unique token of the client's (e.g. a UUID; 1-255 visible ASCII characters). The first outcome of the request is " +
    "kept for 24 hours; a retry with the same key and the same request gets it again (marked `Idempotent-Replayed: true`) " +
    "without acting again; the same key with a different request is a 422. Keys are per user.",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
};

const SECURITY = { none: [], session: [{ sessionCookie: [] }], metricsToken: [{ metricsToken: [] }] } as const;

const jsonContent = (schema: JsonSchema) => ({ "application/json": { schema } });

export function buildOpenApiDocument(operations: readonly ApiOperation[], info: DocumentInfo): Record<string, unknown> {
  const components = new SchemaComponents();
  const errorSchema = components.render(errorBody, "output");

  const response = (r: ApiResponse, headerNames: readonly HeaderName[]) => ({
    description: r.description,
    headers: headerRefs(headerNames),
    ...(r.schema || r.textMediaType
      ? {
          content: {
            ...(r.schema ? jsonContent(components.render(r.schema, "output")) : {}),
            ...(r.textMediaType ? { [r.textMediaType]: { schema: { type: "string" } } } : {}),
          },
        }
      : {}),
  });

  const parameters = (location: "path" | "query", schema: z.ZodObject | undefined) =>
    Object.entries(schema?.shape ?? {}).map(([name, field]) => ({
      name,
      in: location,
      required: location === "path" || !field.isOptional(),
      schema: components.render(field, "output"),
    }));

  const operationObject = (op: ApiOperation) => {
    const rateLimited = op.rateLimit !== undefined;
    const successHeaders: readonly HeaderName[] = rateLimited ? ["X-Request-Id", ...RATE_LIMIT_HEADERS] : ["X-Request-Id"];
    const errors = new Set<ErrorStatus>([...(op.errors ?? []), 500]);
    // Authenticated routes sit behind the key check and the JSON body parser (malformed body: 400),
    // and read the database (unreachable: 503); writes take an Idempotency-Key (reused: 422).
    const authenticated = op.auth === "bearer" || op.auth === "session";
    const write = authenticated && op.method !== "get";
    if (authenticated) for (const status of [400, 401, 403, 503] as const) errors.add(status);
    if (write) errors.add(422);
    if (rateLimited) errors.add(429);
    if (op.request?.body) for (const status of [413, 415] as const) errors.add(status);
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(op.responses)) responses[status] = response(r, successHeaders);
    if (op.auth === "metricsToken") {
      responses["401"] = response({ description: "Missing or wrong metrics token (`WWW-Authenticate: Bearer`).", schema: errorBody }, ["X-Request-Id"]);
    }
    for (const status of [...errors].sort((a, b) => a - b)) {
      const [name, description] = errorResponses[status];
      // A shared response cannot say that this operation's limiter adds its headers.
      responses[status] =
        rateLimited && AFTER_RATE_LIMITER.has(status)
          ? response({ description, schema: errorBody }, status === 503 ? [...successHeaders, "Retry-After"] : successHeaders)
          : status === 429 && !rateLimited
            ? response({ description, schema: errorBody }, ["X-Request-Id", "Retry-After"]) // a refusal of its own (sign-in)
            : { $ref: `#/components/responses/${name}` };
    }
    const parameterList = [
      ...parameters("path", op.request?.params),
      ...parameters("query", op.request?.query),
      ...(write ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : []),
    ];
    return {
      operationId: op.id,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [...op.tags],
      ...(op.auth === "bearer" ? {} : { security: SECURITY[op.auth] }),
      ...(parameterList.length ? { parameters: parameterList } : {}),
      ...(op.request?.body ? { requestBody: { required: true, content: jsonContent(components.render(op.request.body, "input")) } } : {}),
      responses,
      ...(op.rateLimit ? { "x-rate-limit": op.rateLimit } : {}),
      ...(op.origin === "addition" ? { "x-ssltrackr-addition": true } : {}),
    };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  const ids = new Set<string>();
  for (const op of operations) {
    if (ids.has(op.id)) throw new Error(`Duplicate operationId ${op.id}`);
    ids.add(op.id);
    const item = (paths[op.path] ??= op.server ? { servers: [{ url: op.server }] } : {});
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is described twice`);
    const server = (item["servers"] as readonly { url: string }[] | undefined)?.[0]?.url;
    if (server !== op.server) throw new Error(`${op.path}: its operations name different servers`);
    item[op.method] = operationObject(op);
  }

  const sharedResponses = Object.fromEntries(
    Object.entries(errorResponses).map(([status, [name, description]]) => [
      name,
      {
        description,
        headers: headerRefs(
          status === "429"
            ? ["X-Request-Id", "Retry-After", ...RATE_LIMIT_HEADERS]
            : status === "503"
              ? ["X-Request-Id", "Retry-After"]
              : status === "401"
                ? ["X-Request-Id", "WWW-Authenticate"]
                : ["X-Request-Id"],
        ),
        content: jsonContent(errorSchema),
      },
    ]),
  );

  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.server }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "An API key: `Authorization: Bearer ssa_...`." },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "ssltrackr_session",
          description:
            "A dashboard session (POST /session). Its writes (POST, PUT, PATCH, DELETE) must send the session's `csrf_token` as " +
            "`X-CSRF-Token`, else 403. When `Authorization` is sent too, the API key decides and the cookie is ignored.",
        },
        metricsToken: { type: "http", scheme: "bearer", description: "The Prometheus scrape token, SSLTRACKR_METRICS_TOKEN (docs/prometheus.md)." },
      },
      schemas: components.schemas,
      responses: sharedResponses,
      parameters: { IdempotencyKey: idempotencyKeyParameter },
      headers,
    },
  };
}
