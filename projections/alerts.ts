// Read model of raised alerts: backs GET /alerts. Rows are keyed by alert id (derived from
// the check and the fact), so a replayed alert is not stored twice.
import { domainStreamCodec, type DomainStreamEvent } from "../src/domains/domainStream.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { insertRows, type Row } from "../src/infrastructure/projections/rowWrites.js";

export const ALERTS_TABLE = "alerts";

/** Pure: one row per alert. */
export const foldAlerts = (events: readonly Decoded<Extract<DomainStreamEvent, { type: "AlertRaised" }>>[]): Row[] =>
  events.map(({ event: { data: a } }) => ({
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
  }));

export const alertsProjection = defineProjection({
  name: "alerts",
  tables: [ALERTS_TABLE],
  codec: domainStreamCodec,
  eventTypes: ["AlertRaised"],
  perStream: true,
  applyBatch: (trx, events) => insertRows(trx, ALERTS_TABLE, foldAlerts(events), { key: ["id"], onConflict: "ignore" }),
});
