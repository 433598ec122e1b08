// analytics.alerts: one row per raised alert; the alert_counts view aggregates them per day.
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import type { Row } from "../../src/infrastructure/projections/rowWrites.js";

/** The row of a raised alert (keyed by alert_id: a replayed raise is ignored). */
export function alertRow(alert: Extract<DomainStreamEvent, { type: "AlertRaised" }>["data"]): Row {
  return {
    alert_id: alert.alertId,
    user_id: alert.userId,
    domain_id: alert.domainId,
    hostname: alert.hostname,
    check_id: alert.checkId,
    alert_type: alert.alertType,
    severity: alert.severity,
    threshold_days: alert.thresholdDays,
    triggered_at: alert.triggeredAt,
  };
}
