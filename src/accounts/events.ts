// Events of a user's account stream ("user-<id>"): the user and their API keys. Passwords and
// sessions are not events (docs/decisions.md, "Dashboard sign-in").
import { z } from "zod";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import { storedInstant } from "../shared/instant.js";

/** An address as users are registered and found by it: e-mail addresses are compared case-insensitively. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export const userStreamName = (userId: string): string => `user-${userId}`;
export const emailReservationStreamName = (email: string): string => `user_email-${email}`;

export const permissionSchema = z.enum(["read", "write"]);
export type Permission = z.infer<typeof permissionSchema>;

export const UserRegistered = defineEvent({
  type: "UserRegistered",
  version: 1,
  schema: z.object({ userId: z.uuid(), email: z.string(), registeredAt: z.iso.datetime() }),
});

/** Only a hash of the key is ever stored; the key itself is shown once. */
export const ApiKeyCreated = defineEvent({
  type: "ApiKeyCreated",
  version: 1,
  schema: z.object({
    keyId: z.uuid(),
    userId: z.uuid(),
    label: z.string(),
    permissions: z.array(permissionSchema),
    expiresAt: storedInstant.nullable(),
    keyHash: z.string(),
    keyPrefix: z.string(),
    createdAt: z.iso.datetime(),
    /** The key that created this one; null when made by a person (the CLI, a dashboard session: the event metadata says which). */
    createdByKeyId: z.uuid().nullable(),
  }),
});

export const ApiKeyRevoked = defineEvent({
  type: "ApiKeyRevoked",
  version: 1,
  schema: z.object({ keyId: z.uuid(), userId: z.uuid(), revokedAt: z.iso.datetime() }),
});

export const accountEventDefinitions = [UserRegistered, ApiKeyCreated, ApiKeyRevoked] as const;
export type AccountEvent = EventOf<(typeof accountEventDefinitions)[number]>;
export const accountEventCodec = eventCodec(accountEventDefinitions);

export const EmailReserved = defineEvent({
  type: "EmailReserved",
  version: 1,
  schema: z.object({ userId: z.uuid() }),
});
export const emailReservationCodec = eventCodec([EmailReserved] as const);
