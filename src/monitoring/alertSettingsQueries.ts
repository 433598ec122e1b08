// A user's alert thresholds from the read model, or the defaults.
import type { Knex } from "knex";
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from "./alertSettings.js";

export class AlertSettingsQueries {
  constructor(private readonly knex: Knex) {}

  async forUser(userId: string): Promise<AlertSettings> {
    const row = await this.knex("alert_settings").where({ user_id: userId }).first<{ settings: AlertSettings } | undefined>();
    return row?.settings ?? DEFAULT_ALERT_SETTINGS;
  }
}
