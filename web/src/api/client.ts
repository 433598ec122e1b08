// The dashboard's one way to the API: openapi-fetch over the types that `npm run web:api`
// generates from the server's OpenAPI document (web/generated/schema.ts), so a request or a
// response the API no longer has fails the type-check. Requests carry the session cookie
// (same origin); writes carry the session's CSRF token in X-CSRF-Token.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "../../generated/schema";

export type Schemas = components["schemas"];
export type Domain = Schemas["DomainListItem"];
export type DomainStatus = Domain["status"];
export type Grade = Schemas["Grade"];

let csrfToken: string | null = null;

/** The CSRF token of the signed-in session (null when signed out). */
export const setCsrfToken = (token: string | null): void => {
  csrfToken = token;
};

/** Called when an API answer says the session is gone (401), so the app shows sign-in. */
let onUnauthorized: () => void = () => {};
export const whenUnauthorized = (handler: () => void): void => {
  onUnauthorized = handler;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !SAFE_METHODS.has(request.method)) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && schemaPath !== "/session") onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "/api/v1", credentials: "same-origin" });
api.use(session);

/** The message of an API error body (`{"error": ...}`), or a generic one. */
export function errorMessage(error: unknown, fallback = "The request failed."): string {
  if (error && typeof error === "object" && "error" in error && typeof error.error === "string") return error.error;
  return fallback;
}

/** The data of an openapi-fetch answer, or an Error carrying the API's message. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.error !== undefined || answer.data === undefined) {
    if (answer.response.ok) return answer.data as T; // 204: no body
    throw new Error(errorMessage(answer.error, `HTTP ${answer.response.status}`));
  }
  return answer.data;
}
