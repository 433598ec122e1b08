// Application service for accounts: registering users (CLI) and minting/revoking API keys.
import { randomUUID } from "node:crypto";
import type { Clock } from "../shared/clock.js";
import { ConflictError, SecretShownOnceError } from "../shared/errors.js";
import { newEntityId } from "../infrastructure/commandHandling/idempotentIds.js";
import type { CommandHandler, StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";
import { eventMetadata, type RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import { WrongExpectedVersionError, type EventStore } from "../infrastructure/eventStore/eventStore.js";
import type { Written } from "../infrastructure/commandHandling/written.js";
import { accountDecider, type AccountCommand, type AccountState } from "./accountDecider.js";
import { generateApiKey } from "./apiKeySecret.js";
import type { Actor } from "./actor.js";
import {
  accountEventCodec,
  emailReservationCodec,
  emailReservationStreamName,
  normaliseEmail,
  userStreamName,
  type AccountEvent,
  type Permission,
} from "./events.js";

const accountStream: StreamDefinition<AccountCommand, AccountEvent, AccountState> = {
  decider: accountDecider,
  codec: accountEventCodec,
};

export interface NewApiKey {
  readonly label: string;
  readonly permissions: readonly Permission[];
  readonly expiresAt: Date | null;
}

export class AccountCommands {
  constructor(
    private readonly handler: CommandHandler,
    private readonly eventStore: EventStore,
    private readonly clock: Clock,
  ) {}

  /** Registers a user and mints their first read+write key (install-time bootstrap). */
  async registerUser(ctx: RequestContext, email: string) {
    const userId = randomUUID();
    const normalised = normaliseEmail(email);
    try {
      // One stream per e-mail address, created with no_stream: concurrent sign-ups of one
      // address cannot both succeed.
      await this.eventStore.appendToStream(
        emailReservationStreamName(normalised),
        [emailReservationCodec.encode({ type: "EmailReserved", data: { userId } }, randomUUID(), eventMetadata(ctx))],
        { expectedRevision: "no_stream" },
      );
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) throw new ConflictError("A user with this email already exists");
      throw err;
    }
    const metadata = eventMetadata({ ...ctx, userId });
    await this.handler.handle(userStreamName(userId), accountStream, { type: "RegisterUser", userId, email: normalised, now: this.clock.now() }, metadata);
    const key = await this.createApiKey({ ...ctx, userId }, userId, null, { label: "Initial key", permissions: ["read", "write"], expiresAt: null });
    return { userId, ...key };
  }

  async createApiKey(ctx: RequestContext, userId: string, actor: Actor | null, input: NewApiKey) {
    const keyId = newEntityId(ctx, "api-key");
    const secret = generateApiKey();
    const result = await this.handler.handle(
      userStreamName(userId),
      accountStream,
      {
        type: "CreateApiKey",
        keyId,
        ...input,
        keyHash: secret.hash,
        keyPrefix: secret.prefix,
        actor: actor?.kind === "apiKey" ? { keyId: actor.keyId, permissions: actor.permissions } : null,
        now: this.clock.now(),
      },
      eventMetadata(ctx),
    );
    const created = result.events.find((e) => e.type === "ApiKeyCreated");
    // Decided nothing: a retry (same Idempotency-Key) of a create that happened already.
    if (created?.type !== "ApiKeyCreated") throw new SecretShownOnceError("API key", keyId);
    return { keyId, key: secret.key, created: created.data, position: result.position };
  }

  /** Revokes a key (with `cascade`, also the keys it created, transitively); returns the ids revoked. */
  async revokeApiKey(
    ctx: RequestContext,
    actor: Actor,
    keyId: string,
    cascade = false,
  ): Promise<{ revokedKeyIds: string[]; position: Written | null }> {
    const result = await this.handler.handle(
      userStreamName(actor.userId),
      accountStream,
      { type: "RevokeApiKey", keyId, cascade, now: this.clock.now() },
      eventMetadata(ctx),
    );
    const revokedKeyIds = result.events.flatMap((e) => (e.type === "ApiKeyRevoked" ? [e.data.keyId] : []));
    return { revokedKeyIds, position: result.position };
  }
}
