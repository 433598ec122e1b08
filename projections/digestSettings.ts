// Read model of each user's digest settings (absent row: the defaults, digest off).
import { digestSettingsCodec, type DigestSettingsEvent } from "../src/reports/digestSettings.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { insertRows, type Row } from "../src/infrastructure/projections/rowWrites.js";

export const DIGEST_SETTINGS_TABLE = "digest_settings";

/** Pure: each user's latest settings in the batch. */
export const foldDigestSettings = (events: readonly Decoded<DigestSettingsEvent>[]): Row[] => [
  ...new Map(
    events.map(({ event: { data } }) => [
      data.userId,
      { user_id: data.userId, enabled: data.settings.enabled, settings: data.settings, updated_at: data.changedAt },
    ]),
  ).values(),
];

export const digestSettingsProjection = defineProjection({
  name: "digest_settings",
  tables: [DIGEST_SETTINGS_TABLE],
  codec: digestSettingsCodec,
  eventTypes: ["DigestSettingsChanged"],
  applyBatch: (trx, events) => insertRows(trx, DIGEST_SETTINGS_TABLE, foldDigestSettings(events), { key: ["user_id"], onConflict: "replace" }),
});
