// analytics.alerts: one row per raised alert; the alert_counts view aggregates them per day.
import type { Knex } from "knex";
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import { ANALYTICS } from "./tables.js";

export async function projectAlert(trx: Knex.Transaction, event: DomainStreamEvent): Promise<void> {
  if (event.type !== "AlertRaised") return;
  const a = event.data;
  await trx(ANALYTICS.alerts)
    .insert({
      alert_id: a.alertId,
      user_id: a.userId,
      domain_id: a.domainId,
      hostname: a.hostname,
      check_id: a.checkId,
      alert_type: a.alertType,
      severity: a.severity,
      threshold_days: a.thresholdDays,
      triggered_at: a.triggeredAt,
    })
    .onConflict("alert_id")
    .ignore();
}
