import { useState, type FormEvent } from "react";
import { signIn, type Session } from "../api/session";
import { usePageTitle } from "../components/usePageTitle";

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  usePageTitle("Sign in");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(String(form.get("email")), String(form.get("password"))));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="center" id="main">
      <form className="card signin" onSubmit={(e) => void submit(e)}>
        <h1>Sign in to SSLTrackr</h1>
        <label>
          E-mail
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        <p className="hint">Accounts are created with <code>ssltrackr users create --email … --password-prompt</code>.</p>
      </form>
    </main>
  );
}
