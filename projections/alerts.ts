// Read model of raised alerts: backs GET /alerts.
import { domainStreamCodec, type DomainStreamEvent } from "../src/domains/domainStream.js";
import { defineProjection } from "../src/infrastructure/projections/projection.js";

export const ALERTS_TABLE = "alerts";

export const alertsProjection = defineProjection<DomainStreamEvent>({
  name: "alerts",
  tables: [ALERTS_TABLE],
  codecs: [domainStreamCodec],
  async handle(trx, event) {
    if (event.type !== "AlertRaised") return;
    const a = event.data;
    await trx(ALERTS_TABLE)
      .insert({
        id: a.alertId,
        domain_id: a.domainId,
        user_id: a.userId,
        hostname: a.hostname,
        alert_type: a.alertType,
        severity: a.severity,
        title: a.title,
        message: a.message,
        threshold_days: a.thresholdDays,
        triggered_at: a.triggeredAt,
      })
      .onConflict("id")
      .ignore();
  },
});
