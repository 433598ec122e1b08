// Queries on the alerts read model: GET /alerts.
import type { Knex } from "knex";
import { ALERTS_TABLE } from "../../projections/alerts.js";
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
}

export class AlertQueries {
  constructor(private readonly knex: Knex) {}

  async list(userId: string, q: { page: number; perPage: number; domainId?: string | undefined }) {
    const base = this.knex(ALERTS_TABLE).where({ user_id: userId });
    if (q.domainId) base.andWhere({ domain_id: q.domainId });
    return paginate(
      this.knex,
      base,
      q.page,
      q.perPage,
      (query) => query.select("*").orderBy([{ column: "triggered_at", order: "desc" }, { column: "id", order: "desc" }]),
      (r: AlertRow): AlertListItem => ({
        id: r.id,
        domain_id: r.domain_id,
        hostname: r.hostname,
        alert_type: r.alert_type,
        severity: r.severity,
        title: r.title,
        message: r.message,
        threshold_days: r.threshold_days,
        triggered_at: r.triggered_at.toISOString(),
      }),
    );
  }
}
