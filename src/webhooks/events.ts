// Events of one webhook's stream ("webhook-<id>"). The signing secret is part of
// WebhookCreated because every delivery must be signed with it; it is kept only here and in
// the webhooks read model, and never appears in logs or GET responses.
import { z } from "zod";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import { alertType } from "../monitoring/checkEvents.js";

export const webhookStreamName = (webhookId: string): string => `webhook-${webhookId}`;

const isoDate = z.iso.datetime();

export const WebhookCreated = defineEvent({
  type: "WebhookCreated",
  version: 1,
  schema: z.object({
    webhookId: z.uuid(),
    userId: z.uuid(),
    url: z.string(),
    alertTypes: z.array(alertType),
    description: z.string().nullable(),
    secret: z.string(),
    createdAt: isoDate,
  }),
});

/** Carries only the fields that changed. */
export const WebhookUpdated = defineEvent({
  type: "WebhookUpdated",
  version: 1,
  schema: z.object({
    webhookId: z.uuid(),
    userId: z.uuid(),
    changes: z.object({
      url: z.string().optional(),
      alertTypes: z.array(alertType).optional(),
      description: z.string().nullable().optional(),
      isActive: z.boolean().optional(),
    }),
    updatedAt: isoDate,
  }),
});

export const WebhookDeleted = defineEvent({
  type: "WebhookDeleted",
  version: 1,
  schema: z.object({ webhookId: z.uuid(), userId: z.uuid(), deletedAt: isoDate }),
});

export const webhookEventDefinitions = [WebhookCreated, WebhookUpdated, WebhookDeleted] as const;
export type WebhookEvent = EventOf<(typeof webhookEventDefinitions)[number]>;
export const webhookEventCodec = eventCodec(webhookEventDefinitions);
