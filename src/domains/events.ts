// Events of a monitored domain's stream ("domain-<id>").
import { z } from "zod";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import { storedInstant } from "../shared/instant.js";

export const domainStreamName = (domainId: string): string => `domain-${domainId}`;

const isoDate = storedInstant;

/**
 * v2 added `requestedHostname`: the hostname exactly as the user sent it, before it was
 * normalised (lower case, no trailing dot, punycode), so auditors see what was asked for.
 * v1 events did not keep it; they are read as if it had been the normalised name.
 */
export const DomainAdded = defineEvent({
  type: "DomainAdded",
  version: 2,
  upcasters: { 1: (v1) => ({ ...v1, requestedHostname: v1["hostname"] }) },
  schema: z.object({
    domainId: z.uuid(),
    userId: z.uuid(),
    hostname: z.string(),
    requestedHostname: z.string(),
    port: z.number().int(),
    notes: z.string().nullable(),
    tags: z.array(z.string()),
    addedAt: isoDate,
  }),
});

/** Carries only the fields that changed. */
export const DomainUpdated = defineEvent({
  type: "DomainUpdated",
  version: 1,
  schema: z.object({
    domainId: z.uuid(),
    changes: z.object({
      hostname: z.string().optional(),
      port: z.number().int().optional(),
      isActive: z.boolean().optional(),
      notes: z.string().nullable().optional(),
      tags: z.array(z.string()).optional(),
      /** Added with issue #15 (optional: earlier events never carry it); null unmutes. */
      mutedUntil: isoDate.nullable().optional(),
    }),
    updatedAt: isoDate,
  }),
});

export const DomainRemoved = defineEvent({
  type: "DomainRemoved",
  version: 1,
  schema: z.object({ domainId: z.uuid(), removedAt: isoDate }),
});

export const domainEventDefinitions = [DomainAdded, DomainUpdated, DomainRemoved] as const;
export type DomainEvent = EventOf<(typeof domainEventDefinitions)[number]>;
export const domainEventCodec = eventCodec(domainEventDefinitions);
