// Read model of each user's alert thresholds (absent row: the defaults).
import { alertSettingsCodec, type AlertSettingsEvent } from "../src/monitoring/alertSettings.js";
import { defineProjection } from "../src/infrastructure/projections/projection.js";

export const alertSettingsProjection = defineProjection<AlertSettingsEvent>({
  name: "alert_settings",
  tables: ["alert_settings"],
  codecs: [alertSettingsCodec],
  async handle(trx, event) {
    await trx("alert_settings")
      .insert({ user_id: event.data.userId, settings: JSON.stringify(event.data.settings), updated_at: event.data.changedAt })
      .onConflict("user_id")
      .merge();
  },
});
