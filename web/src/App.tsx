// The shell: sign-in gate, navigation, the four pages. Every page talks to the API as the
// signed-in person (the session cookie); a 401 from any call returns to the sign-in form.
import { useCallback, useEffect, useRef, useState } from "react";
import { NavLink, Route, Routes, useLocation } from "react-router";
import { whenUnauthorized } from "./api/client";
import { currentSession, signOut, type Session } from "./api/session";
import { SignIn } from "./pages/SignIn";
import { DomainsPage } from "./pages/Domains";
import { DomainPage } from "./pages/Domain";
import { AlertsPage } from "./pages/Alerts";
import { SettingsPage } from "./pages/Settings";
import { usePageTitle } from "./components/usePageTitle";

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    whenUnauthorized(() => setSession(null));
    currentSession().then(setSession, (e: Error) => setLoadError(e.message));
  }, []);

  // After a page change (not the first load), keyboard and screen-reader users start at the new
  // page's content, as they would after a full page load, not on the link they followed.
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(pathname);
  useEffect(() => {
    if (pathname !== firstPath.current) main.current?.focus();
    firstPath.current = "";
  }, [pathname]);

  const leave = useCallback(async (everywhere: boolean) => {
    try {
      await signOut(everywhere);
    } finally {
      setSession(null);
    }
  }, []);

  if (loadError) return <main className="center"><p role="alert">{loadError}</p></main>;
  if (session === undefined) return <main className="center"><p aria-live="polite">Loading…</p></main>;
  if (session === null) return <SignIn onSignedIn={setSession} />;

  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand" aria-hidden="true">SSLTrackr</span>
        <nav aria-label="Main">
          <NavLink to="/" end>Domains</NavLink>
          <NavLink to="/alerts">Alerts</NavLink>
          <NavLink to="/settings">Settings</NavLink>
        </nav>
        <div className="account">
          <span className="email">{session.user.email}</span>
          <button type="button" onClick={() => void leave(false)}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Routes>
          <Route path="/" element={<DomainsPage />} />
          <Route path="/domains/:id" element={<DomainPage />} />
          <Route path="/alerts" element={<AlertsPage />} />
          <Route path="/settings" element={<SettingsPage onSignOutEverywhere={() => void leave(true)} />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </>
  );
}

function NotFound() {
  usePageTitle("Not found");
  return (
    <>
      <h1>Not found</h1>
      <p>There is no page at this address.</p>
    </>
  );
}
