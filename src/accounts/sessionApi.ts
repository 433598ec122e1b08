// /session in the OpenAPI document: dashboard sign-in (docs/api.md, "Sessions").
import { z } from "zod";
import { entityId, instant } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { signInBody } from "./sessionRoutes.js";

export const sessionSchema = named(
  "Session",
  z.object({
    user: z.object({ id: entityId(), email: z.string() }),
    csrf_token: described(z.string(), "Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE made with this session's cookie."),
    expires_at: described(
      instant(),
      "When the session ends unless used again: the sooner of its idle end as of this request (SSLTRACKR_SESSION_IDLE_MINUTES) and its absolute end (SSLTRACKR_SESSION_ABSOLUTE_HOURS after sign-in).",
    ),
  }),
);

const tags = ["Sessions"];

export const sessionOperations: readonly ApiOperation[] = [
  {
    id: "signIn",
    method: "post",
    path: "/session",
    summary: "Sign in with e-mail and password (the dashboard)",
    description:
      "Sets the session cookie `ssltrackr_session` (HttpOnly; SameSite=Lax; Path=/; Secure when the request came over TLS). " +
      "An unknown e-mail and a wrong password get the same 401. Rate-limited per IP address (SSLTRACKR_SIGNIN_RATE_PER_IP a minute) " +
      "and per e-mail address (SSLTRACKR_SIGNIN_RATE_PER_ACCOUNT a minute); SSLTRACKR_SIGNIN_LOCKOUT_FAILURES consecutive failures " +
      "lock the address for SSLTRACKR_SIGNIN_LOCKOUT_MINUTES, whatever the password: 429 with Retry-After.",
    tags,
    auth: "none",
    origin: "addition",
    request: { body: signInBody },
    responses: { 200: { description: "Signed in: the session, and the cookie set.", schema: sessionSchema } },
    errors: [400, 401, 429, 503],
  },
  {
    id: "getSession",
    method: "get",
    path: "/session",
    summary: "The session of the cookie sent",
    description: "401 without a live session cookie (also when an API key is sent instead). Counts as activity for the idle timeout.",
    tags,
    auth: "session",
    origin: "addition",
    responses: { 200: { description: "The session.", schema: sessionSchema } },
  },
  {
    id: "signOut",
    method: "delete",
    path: "/session",
    summary: "Sign out (this session)",
    description: "Ends the session of the cookie sent, in every app process at once, and clears the cookie. Needs `X-CSRF-Token`.",
    tags,
    auth: "session",
    origin: "addition",
    responses: { 204: { description: "Signed out." } },
  },
  {
    id: "signOutEverywhere",
    method: "post",
    path: "/session/revoke-all",
    summary: "Sign out everywhere",
    description:
      "Ends every session of the caller's user (all browsers, all app processes) and clears this request's cookie. " +
      "With a session: needs `X-CSRF-Token`. With an API key: needs the write permission. API keys stay valid.",
    tags,
    auth: "bearer",
    origin: "addition",
    responses: { 204: { description: "Every session ended." } },
  },
];
