// Per-user alert thresholds. Defaults apply until a user changes them (PUT /alert-settings).
import { z } from "zod";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import type { StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";

const thresholdList = z
  .array(z.number().int().min(0).max(365))
  .max(10)
  .refine((l) => new Set(l).size === l.length, "thresholds must be unique");

export const alertSettingsSchema = z.strictObject({
  ssl_expiry_days: thresholdList,
  domain_expiry_days: thresholdList,
  /** Consecutive failed checks before check_failed is raised (one blip is not an outage). */
  check_failed_after: z.number().int().min(1).max(50),
});
export type AlertSettings = z.infer<typeof alertSettingsSchema>;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  ssl_expiry_days: [30, 14, 7, 3, 1, 0],
  domain_expiry_days: [30, 14, 7, 3, 1, 0],
  check_failed_after: 3,
};

// Settings live on their own small stream per user ("alert_settings-<userId>").
export const alertSettingsStreamName = (userId: string): string => `alert_settings-${userId}`;

export const AlertSettingsChanged = defineEvent({
  type: "AlertSettingsChanged",
  version: 1,
  schema: z.object({ userId: z.uuid(), settings: alertSettingsSchema, changedAt: z.iso.datetime() }),
});
export type AlertSettingsEvent = EventOf<typeof AlertSettingsChanged>;
export const alertSettingsCodec = eventCodec([AlertSettingsChanged] as const);

type SettingsCommand = { readonly type: "ChangeAlertSettings"; readonly userId: string; readonly settings: AlertSettings; readonly now: Date };

export const alertSettingsStream: StreamDefinition<SettingsCommand, AlertSettingsEvent, AlertSettings> = {
  codec: alertSettingsCodec,
  decider: {
    initialState: () => DEFAULT_ALERT_SETTINGS,
    decide: (command, current) =>
      JSON.stringify(current) === JSON.stringify(command.settings)
        ? []
        : [
            {
              type: "AlertSettingsChanged",
              data: { userId: command.userId, settings: command.settings, changedAt: command.now.toISOString() },
            },
          ],
    evolve: (_state, event) => event.data.settings,
  },
};
