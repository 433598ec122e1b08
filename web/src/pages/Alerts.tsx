// Alerts: GET /alerts, newest first, narrowed by the API's domain and state filters (open,
// acknowledged, resolved or all) and, on the page shown, by severity and type. An open alert
// can be acknowledged (POST /alerts/{id}/acknowledge): it stays listed until its condition
// clears, when the server resolves it. The type, severity and state lists come from the
// generated API schema, so a new alert type appears here without an edit.
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { alertSeverityValues, alertTypeValues, pathsAlertsGetParametersQueryStateValues } from "../../generated/schema";
import { api, unwrap, type Schemas } from "../api/client";
import { SeverityBadge } from "../components/badges";
import { formatInstant } from "../components/format";
import { Pager } from "../components/Pager";
import { useApi } from "../components/useApi";
import { usePageTitle } from "../components/usePageTitle";

type AlertState = (typeof pathsAlertsGetParametersQueryStateValues)[number];
const isState = (value: string): value is AlertState => (pathsAlertsGetParametersQueryStateValues as readonly string[]).includes(value);
const label = (name: string): string => name.replace(/_/g, " ");
/** The table's name says which state it lists, so a reader (and a test) knows what it shows. */
const captionOf = (state: AlertState): string => `${state === "all" ? "Alerts" : `${state[0]!.toUpperCase()}${state.slice(1)} alerts`}, newest first`;

export function AlertsPage() {
  usePageTitle("Alerts");
  const [params, setParams] = useSearchParams();
  const page = Number(params.get("page") ?? "1") || 1;
  const domainId = params.get("domain_id") ?? "";
  const severity = params.get("severity") ?? "";
  const type = params.get("type") ?? "";
  const stateParam = params.get("state") ?? "all";
  const state: AlertState = isState(stateParam) ? stateParam : "all";
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    if (key !== "page") next.delete("page");
    setParams(next, { replace: true });
  };
  const alerts = useApi(
    async () => unwrap(await api.GET("/alerts", { params: { query: { page, per_page: 50, state, ...(domainId ? { domain_id: domainId } : {}) } } })),
    [page, domainId, state],
  );
  // Acknowledged here: the answer replaces the row until the list is next loaded.
  const [updated, setUpdated] = useState<Record<string, Schemas["Alert"]>>({});
  const [error, setError] = useState<string | null>(null);
  const rows = useMemo(
    () =>
      (alerts.data?.data ?? [])
        .map((a) => updated[a.id] ?? a)
        .filter((a) => (!severity || a.severity === severity) && (!type || a.alert_type === type)),
    [alerts.data, updated, severity, type],
  );

  async function acknowledge(alert: Schemas["Alert"]) {
    setError(null);
    try {
      const answer = unwrap(await api.POST("/alerts/{id}/acknowledge", { params: { path: { id: alert.id } } }));
      setUpdated((u) => ({ ...u, [alert.id]: answer }));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <>
      <h1>Alerts</h1>
      <div className="toolbar" role="search">
        <label>
          State
          <select value={state} onChange={(e) => set("state", e.target.value === "all" ? "" : e.target.value)}>
            {pathsAlertsGetParametersQueryStateValues.map((s) => <option key={s} value={s}>{s === "all" ? "any" : s}</option>)}
          </select>
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => set("severity", e.target.value)}>
            <option value="">any</option>
            {alertSeverityValues.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => set("type", e.target.value)}>
            <option value="">any</option>
            {alertTypeValues.map((t) => <option key={t} value={t}>{label(t)}</option>)}
          </select>
        </label>
        {domainId && <button type="button" onClick={() => set("domain_id", "")}>All domains</button>}
      </div>
      {(alerts.error ?? error) && <p role="alert" className="error">{alerts.error ?? error}</p>}
      <div className="table-wrap">
        <table className="alerts" aria-busy={alerts.loading}>
          <caption className="visually-hidden">{captionOf(state)}{alerts.loading ? " (loading)" : ""}</caption>
          <thead>
            <tr>
              <th scope="col">Raised</th><th scope="col">Severity</th><th scope="col">Domain</th><th scope="col">Alert</th><th scope="col">Type</th>
              <th scope="col">Acknowledged</th><th scope="col">Resolved</th><th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <td>{formatInstant(a.triggered_at)}</td>
                <td><SeverityBadge severity={a.severity} /></td>
                <td><Link to={`/domains/${a.domain_id}`}>{a.hostname}</Link></td>
                <td><strong>{a.title}</strong><br /><span className="hint">{a.message}</span></td>
                <td>{label(a.alert_type)}</td>
                <td>{formatInstant(a.acknowledged_at)}</td>
                <td>{formatInstant(a.resolved_at)}</td>
                <td>
                  <span className={`state state-${a.state}`}>{a.state}</span>
                  {a.state === "open" && (
                    <>
                      {" "}
                      <button type="button" onClick={() => void acknowledge(a)} aria-label={`Acknowledge: ${a.title} (${a.hostname})`}>Acknowledge</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {!alerts.loading && rows.length === 0 && <tr><td colSpan={8} className="empty">No alerts.</td></tr>}
          </tbody>
        </table>
      </div>
      {alerts.data && <Pager label="Alerts" pagination={alerts.data.pagination} onPage={(p) => set("page", String(p))} />}
    </>
  );
}
