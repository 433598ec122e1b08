// The dashboard's session cookie, and the session of the request being served. The cookie is
// HttpOnly (scripts cannot read it), SameSite=Lax (not sent on cross-site subrequests or
// form POSTs, RFC 6265bis §8.8), Path=/, and Secure when the request came over TLS (as
// Express sees it: behind a proxy only with SSLTRACKR_TRUST_PROXY). It has no Expires: the
// server's idle and absolute timeouts end the session, and the browser forgets it on exit.
import type { Request, Response } from "express";
import type { Session } from "./sessionStore.js";

export const SESSION_COOKIE = "ssltrackr_session";
export const CSRF_HEADER = "X-CSRF-Token";

const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: "lax" as const, path: "/", secure: req.secure });

export function setSessionCookie(req: Request, res: Response, token: string): void {
  res.cookie(SESSION_COOKIE, token, cookieOptions(req));
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req));
}

/** Kept by authentication for the routes of /session. */
export function rememberSession(res: Response, session: Session): void {
  res.locals["session"] = session;
}

/** The session the request authenticated with; undefined for an API key. */
export const sessionOf = (res: Response): Session | undefined => res.locals["session"] as Session | undefined;
