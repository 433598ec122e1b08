// A user's digest settings from the read model, or the defaults (digest off).
import type { Knex } from "knex";
import { DIGEST_SETTINGS_TABLE } from "../../projections/digestSettings.js";
import { NOTIFICATION_CHANNELS_TABLE } from "../../projections/notificationChannels.js";
import { DEFAULT_DIGEST_SETTINGS, digestSettingsSchema, type DigestSettings } from "./digestSettings.js";

export class DigestSettingsQueries {
  constructor(private readonly knex: Knex) {}

  async forUser(userId: string): Promise<DigestSettings> {
    const row = await this.knex(DIGEST_SETTINGS_TABLE).where({ user_id: userId }).first<{ settings: unknown } | undefined>();
    return row ? digestSettingsSchema.parse(row.settings) : DEFAULT_DIGEST_SETTINGS;
  }

  /** The type of the user's channel `channelId` (not deleted), or null when there is none. */
  async channelType(userId: string, channelId: string): Promise<string | null> {
    const row = await this.knex(NOTIFICATION_CHANNELS_TABLE)
      .select("type")
      .where({ id: channelId, user_id: userId })
      .whereNull("deleted_at")
      .first<{ type: string } | undefined>();
    return row?.type ?? null;
  }
}
