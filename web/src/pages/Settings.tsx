// Settings: API keys (POST/GET/DELETE /api-keys; the secret is shown once, at creation),
// webhooks and their delivery logs (/webhooks, /webhooks/{id}/deliveries), alert thresholds
// (GET/PUT /alert-settings, with the time zone messages show dates in), notification channels
// (NotificationChannels.tsx), and signing out every session.
import { useMemo, useState, type FormEvent } from "react";
import { alertTypeValues } from "../../generated/schema";
import { api, unwrap, type Schemas } from "../api/client";
import { Deliveries } from "../components/Deliveries";
import { formatInstant } from "../components/format";
import { NewSecret } from "../components/NewSecret";
import { Pager } from "../components/Pager";
import { useApi } from "../components/useApi";
import { usePageTitle } from "../components/usePageTitle";
import { NotificationChannels } from "./NotificationChannels";

export function SettingsPage({ onSignOutEverywhere }: { onSignOutEverywhere: () => void }) {
  usePageTitle("Settings");
  return (
    <>
      <h1>Settings</h1>
      <ApiKeys />
      <Webhooks />
      <NotificationChannels />
      <Thresholds />
      <section aria-labelledby="sessions">
        <h2 id="sessions">Sessions</h2>
        <p>Sign out of SSLTrackr in every browser where you are signed in, this one included.</p>
        <button type="button" className="danger" onClick={onSignOutEverywhere}>Sign out everywhere</button>
      </section>
    </>
  );
}

function ApiKeys() {
  const [page, setPage] = useState(1);
  const keys = useApi(async () => unwrap(await api.GET("/api-keys", { params: { query: { page, per_page: 20 } } })), [page]);
  const [created, setCreated] = useState<{ key: string; label: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const permissions = form.getAll("permissions").map(String) as ("read" | "write")[];
    const expires = String(form.get("expires") ?? "");
    setError(null);
    try {
      // The expiry date is the end of that day in the browser's time zone.
      const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : null;
      setCreated(unwrap(await api.POST("/api-keys", { body: { label: String(form.get("label")), permissions, expires_at: expiresAt } })));
      formElement.reset();
      keys.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function revoke(key: Schemas["ApiKey"]) {
    if (!window.confirm(`Revoke the key "${key.label}"? Programs using it stop working at once.`)) return;
    try {
      unwrap(await api.DELETE("/api-keys/{id}", { params: { path: { id: key.id } } }));
      keys.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section aria-labelledby="api-keys">
      <h2 id="api-keys">API keys</h2>
      <form className="card" onSubmit={(e) => void create(e)} aria-label="Create an API key">
        <label>Label<input name="label" required maxLength={100} placeholder="CI pipeline" /></label>
        <fieldset>
          <legend>Scopes</legend>
          <label className="check"><input type="checkbox" name="permissions" value="read" defaultChecked /> read</label>
          <label className="check"><input type="checkbox" name="permissions" value="write" /> write</label>
        </fieldset>
        <label>Expires (optional)<input type="date" name="expires" /></label>
        <button type="submit" className="primary">Create key</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {created && <NewSecret created={created} onDismiss={() => setCreated(null)} />}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Active API keys</caption>
          <thead>
            <tr><th scope="col">Label</th><th scope="col">Key</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {keys.data?.data.map((k) => (
              <tr key={k.id}>
                <th scope="row">{k.label}</th>
                <td><code>{k.key_prefix}…</code></td>
                <td>{k.permissions.join(", ")}</td>
                <td>{formatInstant(k.created_at)}</td>
                <td>{k.expires_at ? formatInstant(k.expires_at) : "never"}</td>
                <td>{k.last_used_at ? formatInstant(k.last_used_at) : "never"}</td>
                <td><button type="button" className="danger" onClick={() => void revoke(k)} aria-label={`Revoke ${k.label}`}>Revoke</button></td>
              </tr>
            ))}
            {keys.data?.data.length === 0 && <tr><td colSpan={7} className="empty">No API keys.</td></tr>}
          </tbody>
        </table>
      </div>
      {keys.data && <Pager label="API keys" pagination={keys.data.pagination} onPage={setPage} />}
    </section>
  );
}

function Webhooks() {
  const hooks = useApi(async () => unwrap(await api.GET("/webhooks", { params: { query: { per_page: 50 } } })), []);
  const [secret, setSecret] = useState<{ key: string; label: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(null);
    try {
      const hook = unwrap(
        await api.POST("/webhooks", {
          body: { url: String(form.get("url")), alert_types: form.getAll("alert_types").map(String) as Schemas["AlertType"][] },
        }),
      );
      setSecret({ key: hook.secret, label: `signing secret of ${hook.url}` });
      formElement.reset();
      hooks.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function act(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      hooks.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      <form className="card" onSubmit={(e) => void create(e)} aria-label="Create a webhook">
        <label>URL<input name="url" type="url" required placeholder="https://hooks.example.com/ssltrackr" /></label>
        <fieldset>
          <legend>Alert types</legend>
          {alertTypeValues.map((t) => (
            <label key={t} className="check"><input type="checkbox" name="alert_types" value={t} defaultChecked={t.endsWith("expiry")} /> {t.replace(/_/g, " ")}</label>
          ))}
        </fieldset>
        <button type="submit" className="primary">Create webhook</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {secret && <NewSecret created={secret} onDismiss={() => setSecret(null)} />}
      <ul className="plain webhooks">
        {hooks.data?.data.map((h) => (
          <li key={h.id} className="card">
            <div className="title-row">
              <code>{h.url}</code>
              <span className="hint">{h.alert_types.join(", ")}{h.is_active ? "" : " (inactive)"}</span>
            </div>
            <div className="buttons">
              <button type="button" onClick={() => void act(async () => unwrap(await api.POST("/webhooks/{id}/test", { params: { path: { id: h.id } } })))}>Send test</button>
              <button type="button" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>Deliveries</button>
              <button type="button" className="danger" onClick={() => void act(async () => unwrap(await api.DELETE("/webhooks/{id}", { params: { path: { id: h.id } } })))}>Delete</button>
            </div>
            {open === h.id && (
              <Deliveries load={async (page) => unwrap(await api.GET("/webhooks/{id}/deliveries", { params: { path: { id: h.id }, query: { page, per_page: 20 } } }))} deps={[h.id]} />
            )}
          </li>
        ))}
        {hooks.data?.data.length === 0 && <li className="empty">No webhooks.</li>}
      </ul>
    </section>
  );
}

/** The IANA zones the browser knows, UTC first, plus the saved one should the browser not list it. */
function timeZones(saved: string | undefined): string[] {
  const known = Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC");
  return ["UTC", ...(saved && saved !== "UTC" && !known.includes(saved) ? [saved] : []), ...known];
}

const dayList = (text: string): number[] => text.split(/[,\s]+/).filter(Boolean).map(Number);

function Thresholds() {
  const settings = useApi(async () => unwrap(await api.GET("/alert-settings")), []);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      unwrap(
        await api.PUT("/alert-settings", {
          body: {
            ssl_expiry_days: dayList(String(form.get("ssl"))),
            domain_expiry_days: dayList(String(form.get("domain"))),
            check_failed_after: Number(form.get("failed")),
            time_zone: String(form.get("time_zone")),
          },
        }),
      );
      setMessage({ text: "Saved.", error: false });
      settings.reload();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }
  const s = settings.data;
  const zones = useMemo(() => timeZones(s?.time_zone), [s?.time_zone]);
  return (
    <section aria-labelledby="thresholds">
      <h2 id="thresholds">Alert thresholds</h2>
      {settings.error && <p role="alert" className="error">{settings.error}</p>}
      {s && (
        <form className="card" onSubmit={(e) => void save(e)} key={JSON.stringify(s)}>
          <label>Certificate expiry: alert at these days left<input name="ssl" defaultValue={s.ssl_expiry_days.join(", ")} /></label>
          <label>Registration expiry: alert at these days left<input name="domain" defaultValue={s.domain_expiry_days.join(", ")} /></label>
          <label>Check failures in a row before alerting<input name="failed" type="number" min={1} defaultValue={s.check_failed_after} /></label>
          <label>Time zone of the dates in notifications
            <select name="time_zone" defaultValue={s.time_zone ?? "UTC"}>
              {zones.map((z) => <option key={z} value={z}>{z}</option>)}
            </select>
          </label>
          <button type="submit" className="primary">Save thresholds</button>
          {message && <p role={message.error ? "alert" : "status"} className={message.error ? "error" : "notice"}>{message.text}</p>}
        </form>
      )}
    </section>
  );
}
