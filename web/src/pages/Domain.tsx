// One domain: its certificate and chain (GET /domains/{id}/ssl), grade and reasons, protocol
// and cipher facts, HSTS, registration (GET /domains/{id}/whois), days left over time from the
// SSL check history, its alerts, its audit history (GET /domains/{id}/history: who, what,
// when) and its state at a chosen past moment (?as_of), "check now" (POST /check), its renewal
// facts (when it is due, its lifetime, the CA's renewal window, revocation) and muting its
// notifications until a time (PUT /domains/{id} muted_until).
import { useMemo, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { GradeBadge, SeverityBadge, StatusBadge } from "../components/badges";
import { DaysChart, type DaysPoint } from "../components/DaysChart";
import { formatDate, formatDays, formatInstant } from "../components/format";
import { Pager } from "../components/Pager";
import { useApi } from "../components/useApi";
import { usePageTitle } from "../components/usePageTitle";

/** A latest-check answer, or null when the domain has none yet (404). */
async function latestOrNull<T>(answer: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T | null> {
  const a = await answer;
  return a.response.status === 404 ? null : unwrap(a);
}

export function DomainPage() {
  const { id = "" } = useParams();
  const path = { params: { path: { id } } };
  const domain = useApi(async () => unwrap(await api.GET("/domains/{id}", path)), [id]);
  const ssl = useApi(() => latestOrNull(api.GET("/domains/{id}/ssl", path)), [id]);
  const whois = useApi(() => latestOrNull(api.GET("/domains/{id}/whois", path)), [id]);
  const checks = useApi(async () => unwrap(await api.GET("/domains/{id}/ssl/history", { params: { path: { id }, query: { per_page: 100 } } })), [id]);
  usePageTitle(domain.data?.hostname ?? "Domain");
  // Bumped after "check now": the sections that load their own data (alerts, history) look again.
  const [version, setVersion] = useState(0);
  const reloadAll = () => {
    [domain, ssl, whois, checks].forEach((l) => l.reload());
    setVersion((v) => v + 1);
  };

  if (domain.error) return <><h1>Domain</h1><p role="alert" className="error">{domain.error}</p><Link to="/">Back to domains</Link></>;
  const d = domain.data;
  if (!d) return <p aria-live="polite">Loading…</p>;
  return (
    <>
      <p className="crumbs"><Link to="/">Domains</Link> / {d.hostname}</p>
      <div className="title-row">
        <h1>{d.hostname}{d.port !== 443 ? `:${d.port}` : ""}</h1>
        <StatusBadge status={d.status} />
        <GradeBadge grade={d.ssl_grade} />
        <CheckNow domainId={d.id} onChecked={reloadAll} />
      </div>
      <dl className="facts summary">
        <div><dt>Certificate</dt><dd data-testid="ssl-days">{formatDays(d.ssl_days_remaining)}</dd></div>
        <div><dt>Registration</dt><dd>{formatDays(d.whois_days_remaining)}</dd></div>
        <div><dt>Monitoring</dt><dd>{d.is_active ? "active" : "paused"}</dd></div>
        <div><dt>Tags</dt><dd>{d.tags.length ? d.tags.map((t) => <span key={t} className="tag">{t}</span>) : "—"}</dd></div>
        <div><dt>Renewal due</dt><dd>{formatInstant(d.renewal_due_at)}</dd></div>
      </dl>
      <Mute domain={d} onChanged={domain.reload} />

      {ssl.data === null && <p>No successful SSL check yet.</p>}
      {ssl.data && <Certificate check={ssl.data} />}
      <section aria-labelledby="days-chart">
        <h2 id="days-chart">Days left over time</h2>
        {checks.data && <DaysOverTime history={checks.data.data} />}
      </section>
      <Registration check={whois.data} />
      <DomainAlerts domainId={d.id} version={version} />
      <AuditHistory domainId={d.id} version={version} />
      <StateAsOf domainId={d.id} />
    </>
  );
}

function CheckNow({ domainId, onChecked }: { domainId: string; onChecked: () => void }) {
  const [state, setState] = useState<{ busy: boolean; message: string | null }>({ busy: false, message: null });
  async function run() {
    setState({ busy: true, message: "Checking…" });
    try {
      const result = unwrap(await api.POST("/check", { body: { domain_id: domainId } }));
      const sslPart = "error" in result.ssl ? `SSL failed: ${result.ssl.error.message}` : `SSL grade ${result.ssl.grade}, ${formatDays(result.ssl.days_remaining)} left`;
      setState({ busy: false, message: `Checked: ${sslPart}.` });
      onChecked();
    } catch (e) {
      setState({ busy: false, message: (e as Error).message });
    }
  }
  return (
    <div className="check-now">
      <button type="button" className="primary" disabled={state.busy} onClick={() => void run()}>Check now</button>
      <span role="status">{state.message}</span>
    </div>
  );
}

/** `datetime-local` wants local "YYYY-MM-DDTHH:mm"; the API speaks UTC instants. */
const toLocalInput = (iso: string): string => {
  const t = new Date(iso);
  return new Date(t.getTime() - t.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Mutes the domain's notifications until a moment (alerts are still recorded), or unmutes it. */
function Mute({ domain, onChanged }: { domain: Schemas["Domain"]; onChanged: () => void }) {
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const muted = domain.muted_until !== null && new Date(domain.muted_until) > new Date();
  async function save(mutedUntil: string | null) {
    try {
      unwrap(await api.PUT("/domains/{id}", { params: { path: { id: domain.id } }, body: { muted_until: mutedUntil } }));
      setMessage({ text: mutedUntil ? `Muted until ${formatInstant(mutedUntil)}.` : "Unmuted.", error: false });
      onChanged();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const until = String(new FormData(event.currentTarget).get("muted_until") ?? "");
    if (until) void save(new Date(until).toISOString());
  }
  return (
    <section aria-labelledby="mute">
      <h2 id="mute">Notifications</h2>
      <p>{muted ? `Muted until ${formatInstant(domain.muted_until)}: alerts are recorded but not sent.` : "Not muted."}</p>
      <form className="inline" onSubmit={submit}>
        <label>Mute until (your time zone)<input type="datetime-local" name="muted_until" required defaultValue={domain.muted_until ? toLocalInput(domain.muted_until) : ""} key={domain.muted_until} /></label>
        <button type="submit">Mute</button>
        {domain.muted_until && <button type="button" onClick={() => void save(null)}>Unmute</button>}
      </form>
      {message && <p role={message.error ? "alert" : "status"} className={message.error ? "error" : "notice"}>{message.text}</p>}
    </section>
  );
}

type LatestSsl = Schemas["LatestSslCheck"];

function Certificate({ check: c }: { check: LatestSsl }) {
  const protocols = Object.entries(c.protocols);
  return (
    <>
      <section aria-labelledby="cert">
        <h2 id="cert">Certificate</h2>
        <dl className="facts">
          <div><dt>Subject</dt><dd>{c.subject}</dd></div>
          <div><dt>Issuer</dt><dd>{c.issuer}</dd></div>
          <div><dt>Valid</dt><dd>{formatDate(c.valid_from)} – {formatDate(c.valid_to)} ({formatDays(c.days_remaining)})</dd></div>
          <div><dt>Names</dt><dd>{c.sans.join(", ") || "—"}</dd></div>
          <div><dt>Key</dt><dd>{c.key.type.toUpperCase()} {c.key.bits} bits{c.key.curve ? ` (${c.key.curve})` : ""}, {c.signature_algorithm}</dd></div>
          <div><dt>Chain</dt><dd>{c.chain_valid ? "trusted" : `not trusted: ${c.chain_errors.map((e) => e.message).join("; ")}`}</dd></div>
          <div><dt>Lifetime</dt><dd>{c.lifetime_days} days</dd></div>
          <div>
            <dt>Renewal window</dt>
            <dd>
              {c.renewal_window ? (
                <>
                  {formatInstant(c.renewal_window.start)} – {formatInstant(c.renewal_window.end)}, as the CA suggests (ACME ARI)
                  {c.renewal_window.explanation_url && <> (<a href={c.renewal_window.explanation_url}>why</a>)</>}
                </>
              ) : (
                "not offered by the CA"
              )}
            </dd>
          </div>
          <div><dt>Revocation</dt><dd>{c.revocation ? `${c.revocation}${c.revocation_source ? ` (${c.revocation_source})` : ""}` : "not checked"}</dd></div>
          <div><dt>Checked</dt><dd>{formatInstant(c.checked_at)} from {c.ip_address}</dd></div>
        </dl>
        <h3>Chain</h3>
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Depth</th><th scope="col">Subject</th><th scope="col">Issuer</th><th scope="col">Expires</th><th scope="col">Days left</th></tr></thead>
            <tbody>
              {c.chain.map((cert) => (
                <tr key={cert.fingerprint_sha256}>
                  <td className="num">{cert.depth}</td>
                  <td>{cert.subject}</td>
                  <td>{cert.issuer}</td>
                  <td>{formatDate(cert.valid_to)}</td>
                  <td className="num">{formatDays(cert.days_remaining)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="grade">
        <h2 id="grade">Grade <GradeBadge grade={c.grade} /></h2>
        <p>
          Score {c.score.total} (protocol {c.score.protocol}, key exchange {c.score.key_exchange}, cipher strength {c.score.cipher_strength}),
          by the SSL Labs rating guide. Ignoring trust: {c.grade_trust_ignored}.
        </p>
        {c.grade_reasons.length > 0 ? (
          <ul>{c.grade_reasons.map((r) => <li key={r.code}>Capped at {r.cap}: {r.message}</li>)}</ul>
        ) : (
          <p>No caps apply.</p>
        )}
      </section>
      <section aria-labelledby="protocols">
        <h2 id="protocols">Protocols and ciphers</h2>
        <dl className="facts">
          <div><dt>Negotiated</dt><dd>{c.tls_version}, {c.cipher.name}</dd></div>
          <div><dt>Protocols</dt><dd>{protocols.map(([name, on]) => <span key={name} className={`tag ${on ? "" : "off"}`}>{name}{on ? "" : " (off)"}</span>)}</dd></div>
          <div><dt>Forward secrecy</dt><dd>{c.cipher_suites.forward_secrecy ? "yes" : "no"}</dd></div>
          <div><dt>AEAD</dt><dd>{c.cipher_suites.aead ? "yes" : "no"}</dd></div>
          <div><dt>Weak ciphers</dt><dd>{[c.cipher_suites.rc4 && "RC4", c.cipher_suites.triple_des && "3DES", c.cipher_suites.null_encryption && "NULL", c.cipher_suites.anonymous && "anonymous"].filter(Boolean).join(", ") || "none"}</dd></div>
          <div><dt>OCSP stapling</dt><dd>{c.ocsp_staple ? c.ocsp_staple.status : "not stapled"}</dd></div>
          <div>
            <dt>HSTS</dt>
            <dd>
              {c.hsts_details.present
                ? `max-age ${c.hsts_details.max_age ?? "?"} s${c.hsts_details.include_subdomains ? ", includeSubDomains" : ""}${c.hsts_details.preload ? ", preload" : ""}`
                : c.hsts_details.error ?? "not sent"}
            </dd>
          </div>
        </dl>
      </section>
    </>
  );
}

type SslHistoryItem = Schemas["SslCheckHistory"]["data"][number];

/**
 * Oldest first; a renewal is a successful check whose leaf is another certificate than the
 * previous one's and expires later (a replacement that expires sooner is no renewal, as for
 * the alerts' "renewed" and analytics' certificate_renewals).
 */
export function daysPoints(history: readonly SslHistoryItem[]): DaysPoint[] {
  const points: DaysPoint[] = [];
  let previous: { fingerprint: string; validTo: number } | null = null;
  for (const item of [...history].reverse()) {
    if (item.result.outcome !== "ok") continue;
    const current = { fingerprint: item.result.fingerprint_sha256, validTo: Date.parse(item.result.valid_to) };
    const renewed = previous !== null && current.fingerprint !== previous.fingerprint && current.validTo > previous.validTo;
    points.push({ at: item.checked_at, days: item.result.days_remaining, renewed });
    previous = current;
  }
  return points;
}

function DaysOverTime({ history }: { history: readonly SslHistoryItem[] }) {
  const points = useMemo(() => daysPoints(history), [history]);
  if (points.length === 0) return <p>No successful SSL checks to chart yet.</p>;
  return (
    <>
      <DaysChart points={points} />
      <details>
        <summary>The figures</summary>
        <table>
          <thead><tr><th scope="col">Checked</th><th scope="col">Days left</th><th scope="col">Renewal</th></tr></thead>
          <tbody>
            {points.map((p) => <tr key={p.at}><td>{formatInstant(p.at)}</td><td className="num">{p.days}</td><td>{p.renewed ? "renewed" : ""}</td></tr>)}
          </tbody>
        </table>
      </details>
    </>
  );
}

function Registration({ check: w }: { check: Schemas["LatestWhoisCheck"] | null | undefined }) {
  return (
    <section aria-labelledby="registration">
      <h2 id="registration">Registration</h2>
      {w === undefined ? <p>Loading…</p> : w === null ? <p>No successful registration check yet.</p> : (
        <dl className="facts">
          <div><dt>Domain</dt><dd>{w.domain}</dd></div>
          <div><dt>Registrar</dt><dd>{w.registrar ?? "—"}</dd></div>
          <div><dt>Expires</dt><dd>{formatDate(w.expiry_date)} ({formatDays(w.days_remaining)})</dd></div>
          <div><dt>Created</dt><dd>{formatDate(w.created_date)}</dd></div>
          <div><dt>DNSSEC</dt><dd>{w.dnssec === null ? "unknown" : w.dnssec ? "signed" : "unsigned"}</dd></div>
          <div><dt>Name servers</dt><dd>{w.nameservers.join(", ") || "—"}</dd></div>
          <div><dt>Source</dt><dd>{w.source.toUpperCase()} ({w.server}), {formatInstant(w.checked_at)}</dd></div>
        </dl>
      )}
    </section>
  );
}

function DomainAlerts({ domainId, version }: { domainId: string; version: number }) {
  const alerts = useApi(async () => unwrap(await api.GET("/alerts", { params: { query: { domain_id: domainId, per_page: 20 } } })), [domainId, version]);
  return (
    <section aria-labelledby="domain-alerts">
      <h2 id="domain-alerts">Alerts</h2>
      {alerts.error && <p role="alert" className="error">{alerts.error}</p>}
      {alerts.data?.data.length === 0 && <p>No alerts.</p>}
      <ul className="plain">
        {alerts.data?.data.map((a) => (
          <li key={a.id}><SeverityBadge severity={a.severity} /> {formatInstant(a.triggered_at)}: {a.title} <span className="hint">({a.state})</span></li>
        ))}
      </ul>
      {(alerts.data?.pagination.total ?? 0) > 20 && <Link to={`/alerts?domain_id=${domainId}`}>All alerts of this domain</Link>}
    </section>
  );
}

type HistoryEntry = Schemas["DomainHistoryEntry"];

/** Who did it: a person signed in to the dashboard, a program with an API key, or SSLTrackr itself (checks, alerts). */
function actor(e: HistoryEntry): string {
  const user = e.user_id ? `user ${e.user_id.slice(0, 8)}` : "";
  if (e.session_id) return `${user}, signed in`;
  if (e.api_key_id) return `${user}, API key ${e.api_key_id.slice(0, 8)}`;
  return "SSLTrackr";
}

/**
 * A change as people read it: the field in words ("muted until", not the event's `mutedUntil`),
 * instants in their time zone, lists as lists, an unset value as "none".
 */
function describeChange(field: string, value: unknown): string {
  const words = field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
  const shown =
    value === null || value === undefined || value === ""
      ? "none"
      : Array.isArray(value)
        ? value.join(", ") || "none"
        : typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)
          ? formatInstant(value)
          : String(value);
  return `${words} → ${shown}`;
}

function describe(e: HistoryEntry): string {
  switch (e.type) {
    case "DomainAdded": return `Added ${e.data.hostname}:${e.data.port}`;
    case "DomainUpdated": return `Changed ${Object.entries(e.data.changes).map(([k, v]) => describeChange(k, v)).join(", ")}`;
    case "DomainRemoved": return "Removed";
    case "SslChecked": return `SSL check (${e.data.trigger}): grade ${e.data.result.grade}, ${formatDays(e.data.result.days_remaining)}`;
    case "SslCheckFailed": return `SSL check (${e.data.trigger}) failed: ${e.data.result.message}`;
    case "WhoisChecked": return `Registration check (${e.data.trigger}): ${formatDays(e.data.result.days_remaining)}`;
    case "WhoisCheckFailed": return `Registration check (${e.data.trigger}) failed: ${e.data.result.message}`;
    case "AlertRaised": return `Alert: ${e.data.title}`;
    case "AlertResolved": return `Alert resolved (${e.data.alertType}): ${e.data.reason.replaceAll("_", " ")}`;
    case "AlertAcknowledged": return `Alert acknowledged (${e.data.alertType})`;
    case "RenewalInfoFetched": return e.data.info.renewal_window
      ? `CA renewal window (ARI): ${formatInstant(e.data.info.renewal_window.start)} to ${formatInstant(e.data.info.renewal_window.end)}`
      : "CA renewal window (ARI): not known";
  }
}

function AuditHistory({ domainId, version }: { domainId: string; version: number }) {
  const [page, setPage] = useState(1);
  const history = useApi(async () => {
    const body = unwrap(await api.GET("/domains/{id}/history", { params: { path: { id: domainId }, query: { page, per_page: 20 } } }));
    if (!("data" in body)) throw new Error("Unexpected answer.");
    return body;
  }, [domainId, page, version]);
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">History</h2>
      {history.error && <p role="alert" className="error">{history.error}</p>}
      <div className="table-wrap">
        <table>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
          <tbody>
            {history.data?.data.map((e) => (
              <tr key={e.revision}><td>{formatInstant(e.recorded_at)}</td><td>{actor(e)}</td><td>{describe(e)}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      {history.data && <Pager label="History" pagination={history.data.pagination} onPage={setPage} />}
    </section>
  );
}

function StateAsOf({ domainId }: { domainId: string }) {
  const [result, setResult] = useState<Schemas["DomainStateAsOf"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = String(new FormData(event.currentTarget).get("as_of"));
    setError(null);
    try {
      const body = unwrap(await api.GET("/domains/{id}/history", { params: { path: { id: domainId }, query: { as_of: new Date(local).toISOString() } } }));
      if (!("state" in body)) throw new Error("Unexpected answer.");
      setResult(body);
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    }
  }
  const s = result?.state.domain;
  const lastSsl = result?.last_ssl_check;
  return (
    <section aria-labelledby="as-of">
      <h2 id="as-of">State at a past moment</h2>
      <form className="inline" onSubmit={(e) => void submit(e)}>
        <label>Moment (your time zone)<input type="datetime-local" name="as_of" required step={1} /></label>
        <button type="submit">Show</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {result && s && (
        <dl className="facts" aria-live="polite">
          <div><dt>As of</dt><dd>{formatInstant(result.as_of)} (revision {result.revision})</dd></div>
          <div><dt>Hostname</dt><dd>{s.hostname}:{s.port} ({s.status})</dd></div>
          <div><dt>Monitoring</dt><dd>{s.is_active ? "active" : "paused"}</dd></div>
          <div><dt>Tags</dt><dd>{s.tags.join(", ") || "—"}</dd></div>
          <div><dt>Last grade</dt><dd>{result.state.monitoring.ssl.last_grade ?? "—"}</dd></div>
          <div><dt>Last SSL check</dt><dd>{lastSsl ? `${formatInstant(lastSsl.recorded_at)}: ${describe(lastSsl)}` : "none yet"}</dd></div>
        </dl>
      )}
    </section>
  );
}
