// Per-user e-mail digest settings (issue #15, 3), on their own small stream per user
// ("digest_settings-<userId>"), like alert settings. Off until a user turns it on
// (PUT /digest-settings). The time zone is the user's alert settings' `time_zone`.
import { z } from "zod";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import { settingsDecider, type ChangeSettings } from "../shared/settingsStream.js";
import type { StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";
import { digestFrequency } from "./digestSchedule.js";
import { MAX_WITHIN_DAYS } from "./expiringReport.js";

export const digestSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  frequency: digestFrequency,
  /** ISO 8601 weekday of weekly digests: 1 = Monday ... 7 = Sunday. Ignored by daily ones. */
  weekday: z.number().int().min(1).max(7),
  /** Local hour (the user's time_zone), 0-23. */
  hour: z.number().int().min(0).max(23),
  /** What expires within this many whole days is listed (as GET /reports/expiring counts them). */
  within_days: z.number().int().min(0).max(MAX_WITHIN_DAYS),
  /** Send a digest that has nothing to report ("nothing expires") instead of none. */
  send_when_empty: z.boolean(),
  /** The user's `email` notification channel whose SMTP settings and recipients send it. */
  channel_id: z.guid().nullable(),
});
export type DigestSettings = z.infer<typeof digestSettingsSchema>;

export const DEFAULT_DIGEST_SETTINGS: DigestSettings = {
  enabled: false,
  frequency: "weekly",
  weekday: 1,
  hour: 8,
  within_days: 30,
  send_when_empty: false,
  channel_id: null,
};

export const digestSettingsStreamName = (userId: string): string => `digest_settings-${userId}`;

export const DigestSettingsChanged = defineEvent({
  type: "DigestSettingsChanged",
  version: 1,
  schema: z.object({ userId: z.uuid(), settings: digestSettingsSchema, changedAt: z.iso.datetime() }),
});
export type DigestSettingsEvent = EventOf<typeof DigestSettingsChanged>;
export const digestSettingsCodec = eventCodec([DigestSettingsChanged] as const);

export const digestSettingsStream: StreamDefinition<ChangeSettings<DigestSettings>, DigestSettingsEvent, DigestSettings> = {
  codec: digestSettingsCodec,
  decider: settingsDecider("DigestSettingsChanged", DEFAULT_DIGEST_SETTINGS, (stored) => stored),
};
