// HTTP routes of /session: a person signs in with e-mail and password (the one operation of
// /api/v1 without authentication), reads their session, signs out, or signs out everywhere.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { parseWith } from "../infrastructure/http/validation.js";
import type { Clock } from "../shared/clock.js";
import { UnauthorizedError } from "../shared/errors.js";
import { clearSessionCookie, sessionOf, setSessionCookie } from "./sessionCookie.js";
import type { Session, SessionStore } from "./sessionStore.js";
import type { SignIn } from "./signIn.js";

export const signInBody = z.strictObject({
  email: z.string().trim().min(1).max(320),
  // Not the password rules (those apply when one is set): any sent password is only compared.
  password: z.string().min(1).max(256),
});

/** The answer of sign-in and of GET /session; never stored by a cache (it holds the CSRF token). */
function answerSession(res: Response, session: Session): void {
  res.setHeader("Cache-Control", "no-store");
  res.json({ user: { id: session.userId, email: session.email }, csrf_token: session.csrfToken, expires_at: session.expiresAt.toISOString() });
}

const requireSession = (res: Response): Session => {
  const session = sessionOf(res);
  if (!session) throw new UnauthorizedError("Not signed in: this request carries no session cookie");
  return session;
};

/** Mounted behind authentication, which lets POST /session through (its operation has auth "none"). */
export function sessionRoutes(signIn: SignIn, sessions: SessionStore, clock: Clock): Router {
  const router = Router();

  router.post("/session", async (req: Request, res) => {
    const body = parseWith(signInBody, req.body);
    // req.ip is the client's address as SSLTRACKR_TRUST_PROXY lets Express see it.
    const { token, session } = await signIn.signIn(body.email, body.password, req.ip ?? "unknown", clock.now());
    setSessionCookie(req, res, token);
    answerSession(res, session);
  });

  router.get("/session", (_req, res) => {
    answerSession(res, requireSession(res));
  });

  router.delete("/session", async (req, res) => {
    await sessions.revoke(requireSession(res).id, clock.now());
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  router.post("/session/revoke-all", async (req, res) => {
    await sessions.revokeAll(actorOf(res).userId, clock.now());
    if (sessionOf(res)) clearSessionCookie(req, res);
    res.status(204).end();
  });

  return router;
}
