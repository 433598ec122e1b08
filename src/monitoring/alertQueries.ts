// Queries on the alerts read model: GET /alerts and one alert for POST /alerts/{id}/acknowledge.
import type { Knex } from "knex";
import { ALERTS_TABLE, type AlertState } from "../../projections/alerts.js";
import { paginate } from "../infrastructure/postgres/pagination.js";
import type { AlertListItem } from "./alertApi.js";
import type { AlertSeverity, AlertType } from "./checkEvents.js";

interface AlertRow {
  id: string;
  domain_id: string;
  hostname: string;
  alert_type: AlertType;
  severity: AlertSeverity;
  title: string;
  message: string;
  threshold_days: number | null;
  triggered_at: Date;
  state: AlertState;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
}

const item = (r: AlertRow): AlertListItem => ({
  id: r.id,
  domain_id: r.domain_id,
  hostname: r.hostname,
  alert_type: r.alert_type,
  severity: r.severity,
  title: r.title,
  message: r.message,
  threshold_days: r.threshold_days,
  triggered_at: r.triggered_at.toISOString(),
  state: r.state,
  acknowledged_at: r.acknowledged_at?.toISOString() ?? null,
  resolved_at: r.resolved_at?.toISOString() ?? null,
});

export class AlertQueries {
  constructor(private readonly knex: Knex) {}

  /** Newest first; `state` narrows to one state (all when omitted). */
  async list(userId: string, q: { page: number; perPage: number; domainId?: string | undefined; state?: AlertState | undefined }) {
    const base = this.knex(ALERTS_TABLE).where({ user_id: userId });
    if (q.domainId) base.andWhere({ domain_id: q.domainId });
    if (q.state) base.andWhere({ state: q.state });
    return paginate(
      this.knex,
      base,
      q.page,
      q.perPage,
      (query) => query.select("*").orderBy([{ column: "triggered_at", order: "desc" }, { column: "id", order: "desc" }]),
      item,
    );
  }

  /** The caller's alert, or null (another user's alert is indistinguishable from a missing one). */
  async get(userId: string, alertId: string): Promise<AlertListItem | null> {
    const row = (await this.knex(ALERTS_TABLE).where({ id: alertId, user_id: userId }).first()) as AlertRow | undefined;
    return row ? item(row) : null;
  }
}
