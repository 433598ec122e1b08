// A user's alert thresholds from the read model, or the defaults.
import type { Knex } from "knex";
import { DEFAULT_ALERT_SETTINGS, withDefaults, type AlertSettings, type StoredAlertSettings } from "./alertSettings.js";

export class AlertSettingsQueries {
  constructor(private readonly knex: Knex) {}

  async forUser(userId: string): Promise<AlertSettings> {
    const row = await this.knex("alert_settings").where({ user_id: userId }).first<{ settings: StoredAlertSettings } | undefined>();
    // Settings saved before issue #14's fields or time_zone existed lack them: defaults fill them in.
    return row ? withDefaults(row.settings) : DEFAULT_ALERT_SETTINGS;
  }
}
