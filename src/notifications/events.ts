// Events of one notification channel's stream ("notification_channel-<id>"). Secrets travel
// sealed (src/infrastructure/secrets/secretBox.ts): the event log never holds a password, token
// or routing key in clear, and neither does the read model.
import { z } from "zod";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import { alertSeverity, alertType } from "../monitoring/checkEvents.js";
import { channelTypes } from "./channelTypes.js";

export const channelStreamName = (channelId: string): string => `notification_channel-${channelId}`;

const isoDate = z.iso.datetime();

/** Which alerts a channel gets: empty lists mean all types / all domains. */
export const routingSchema = z.object({
  alertTypes: z.array(alertType),
  minSeverity: alertSeverity,
  /** Only alerts of domains with at least one of these tags (e.g. ["production"]). */
  tags: z.array(z.string()),
});
export type Routing = z.infer<typeof routingSchema>;

/** Overrides of the default message; variables as in docs/notifications.md. */
export const templateSchema = z.object({ title: z.string().optional(), body: z.string().optional() });
export type Template = z.infer<typeof templateSchema>;

const settings = {
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  /** Field name -> sealed value. */
  sealedSecrets: z.record(z.string(), z.string()),
  routing: routingSchema,
  template: templateSchema.nullable(),
};

export const NotificationChannelCreated = defineEvent({
  type: "NotificationChannelCreated",
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid(), channelType: z.enum(channelTypes), ...settings, createdAt: isoDate }),
});

/** Carries only the fields that changed (`config` and `sealedSecrets` whole when they changed). */
export const NotificationChannelUpdated = defineEvent({
  type: "NotificationChannelUpdated",
  version: 1,
  schema: z.object({
    channelId: z.uuid(),
    userId: z.uuid(),
    changes: z.object({
      name: settings.name.optional(),
      config: settings.config.optional(),
      sealedSecrets: settings.sealedSecrets.optional(),
      routing: settings.routing.optional(),
      template: settings.template.optional(),
      isActive: z.boolean().optional(),
    }),
    updatedAt: isoDate,
  }),
});

export const NotificationChannelDeleted = defineEvent({
  type: "NotificationChannelDeleted",
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid(), deletedAt: isoDate }),
});

export const channelEventDefinitions = [NotificationChannelCreated, NotificationChannelUpdated, NotificationChannelDeleted] as const;
export type ChannelEvent = EventOf<(typeof channelEventDefinitions)[number]>;
export const channelEventCodec = eventCodec(channelEventDefinitions);
