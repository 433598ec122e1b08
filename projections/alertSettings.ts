// Read model of each user's alert thresholds (absent row: the defaults).
import { alertSettingsCodec, type AlertSettingsEvent } from "../src/monitoring/alertSettings.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { insertRows, type Row } from "../src/infrastructure/projections/rowWrites.js";

/** Pure: each user's latest settings in the batch. */
export const foldAlertSettings = (events: readonly Decoded<AlertSettingsEvent>[]): Row[] => [
  ...new Map(
    events.map(({ event: { data } }) => [data.userId, { user_id: data.userId, settings: data.settings, updated_at: data.changedAt }]),
  ).values(),
];

export const alertSettingsProjection = defineProjection({
  name: "alert_settings",
  tables: ["alert_settings"],
  codec: alertSettingsCodec,
  eventTypes: ["AlertSettingsChanged"],
  applyBatch: (trx, events) => insertRows(trx, "alert_settings", foldAlertSettings(events), { key: ["user_id"], onConflict: "replace" }),
});
