// Read model of alerts: backs GET /alerts. Rows are keyed by alert id (derived from the check
// and the fact), so a replayed alert is not stored twice; each row keeps the revision of its
// domain's stream, so a replayed acknowledgement cannot reopen an alert resolved since.
import { domainStreamCodec, type DomainStreamEvent } from "../src/domains/domainStream.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { RowChanges } from "../src/infrastructure/projections/rowWrites.js";

export const ALERTS_TABLE = "alerts";

/** Open until acknowledged or resolved; resolved is final (issue #15). */
export const alertStates = ["open", "acknowledged", "resolved"] as const;
export type AlertState = (typeof alertStates)[number];

const eventTypes = ["AlertRaised", "AlertAcknowledged", "AlertResolved"] as const;
type AlertEvent = Extract<DomainStreamEvent, { type: (typeof eventTypes)[number] }>;

/** Pure: one insert per alert raised, one patch per alert acknowledged or resolved. */
export function foldAlerts(events: readonly Decoded<AlertEvent>[]): RowChanges {
  const rows = new RowChanges("id");
  for (const { event, recorded } of events) {
    const stream_revision = recorded.revision.toString();
    switch (event.type) {
      case "AlertRaised": {
        const a = event.data;
        rows.insert({
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
          state: "open" satisfies AlertState,
          stream_revision,
        });
        break;
      }
      case "AlertAcknowledged":
        rows.patch(event.data.alertId, { state: "acknowledged" satisfies AlertState, acknowledged_at: event.data.acknowledgedAt, stream_revision });
        break;
      case "AlertResolved":
        rows.patch(event.data.alertId, {
          state: "resolved" satisfies AlertState,
          resolved_at: event.data.resolvedAt,
          resolve_reason: event.data.reason,
          stream_revision,
        });
        break;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
  return rows;
}

export const alertsProjection = defineProjection({
  name: "alerts",
  tables: [ALERTS_TABLE],
  codec: domainStreamCodec,
  eventTypes,
  perStream: true,
  applyBatch: (trx, events) => foldAlerts(events).write(trx, ALERTS_TABLE, { onConflict: "ignore", newerBy: "stream_revision" }),
});
