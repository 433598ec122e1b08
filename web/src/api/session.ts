// Sign-in for people (issue 16): POST/GET/DELETE /api/v1/session, POST /session/revoke-all.
// The session is an HttpOnly cookie the browser keeps; the CSRF token it answers goes with
// every write (client.ts).
import { api, errorMessage, setCsrfToken, unwrap, type Schemas } from "./client";

export type Session = Schemas["Session"];

const remember = <T extends Session | null>(session: T): T => {
  setCsrfToken(session?.csrf_token ?? null);
  return session;
};

/** The current session, or null when signed out (401). */
export async function currentSession(): Promise<Session | null> {
  const answer = await api.GET("/session");
  return remember(answer.response.status === 401 ? null : unwrap(answer));
}

/** Signs in; the error names the reason (wrong credentials, or locked out for a while). */
export async function signIn(email: string, password: string): Promise<Session> {
  const answer = await api.POST("/session", { body: { email, password } });
  if (answer.response.status === 401) throw new Error("Wrong e-mail or password.");
  if (answer.response.status === 429) throw new Error(errorMessage(answer.error, "Too many attempts: try again later."));
  return remember(unwrap(answer));
}

/** Signs out this browser, or every session of the user (`everywhere`). A 401 means already signed out. */
export async function signOut(everywhere = false): Promise<void> {
  const answer = everywhere ? await api.POST("/session/revoke-all") : await api.DELETE("/session");
  remember(null);
  if (answer.response.status !== 401) unwrap(answer);
}
