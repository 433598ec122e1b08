// Rules of a user's account: registered once; a key never grants more than the key that
// created it, nor outlives it (issue #11, 4); only existing, unrevoked keys can be revoked.
// Revoking a key revokes only that key unless the caller asks for its descendants too: key
// rotation mints the replacement with the old key, then revokes the old one, so a cascade by
// default would take the replacement with it. The cascade is for a leaked key.
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../shared/errors.js";
import type { Decider } from "../infrastructure/commandHandling/decider.js";
import type { AccountEvent, Permission } from "./events.js";

export type AccountState =
  | { readonly status: "absent" }
  | {
      readonly status: "registered";
      readonly userId: string;
      readonly email: string;
      readonly keys: Readonly<Record<string, AccountKey>>;
    };

export interface AccountKey {
  readonly permissions: readonly Permission[];
  readonly revoked: boolean;
  /** UTC instant (ISO 8601), null for a key that never expires. */
  readonly expiresAt: string | null;
  /** The key that created it; null for the install-time CLI's keys. */
  readonly createdByKeyId: string | null;
}

export type AccountCommand =
  | { readonly type: "RegisterUser"; readonly userId: string; readonly email: string; readonly now: Date }
  | {
      readonly type: "CreateApiKey";
      readonly keyId: string;
      readonly label: string;
      readonly permissions: readonly Permission[];
      readonly expiresAt: Date | null;
      readonly keyHash: string;
      readonly keyPrefix: string;
      /** The acting key's permissions and id; null for a person (the install-time CLI, a dashboard session). */
      readonly actor: { readonly keyId: string; readonly permissions: readonly Permission[] } | null;
      readonly now: Date;
    }
  | {
      readonly type: "RevokeApiKey";
      readonly keyId: string;
      /** Also revoke every unrevoked key it created, and theirs, transitively. */
      readonly cascade?: boolean;
      readonly now: Date;
    };

const registered = (state: AccountState) => {
  if (state.status !== "registered") throw new NotFoundError("User not found");
  return state;
};

type RegisteredAccount = Extract<AccountState, { status: "registered" }>;

/** The acting key as the account knows it: authentication may predate its revocation. */
const actingKey = (account: RegisteredAccount, actor: { readonly keyId: string } | null) => {
  if (!actor) return null; // a person: the install-time CLI or a dashboard session
  const key = account.keys[actor.keyId];
  if (!key || key.revoked) throw new UnauthorizedError("Missing or invalid API key");
  return key;
};

/**
 * A new key's expiry lies in the future (ValidationError, 400). Also checked by the route
 * before it takes from the rate limit: a rejected request uses none of the quota.
 */
export function requireFutureExpiry(expiresAt: Date | null, now: Date): void {
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw new ValidationError("expires_at must be in the future");
}

/**
 * A key made by an expiring key must expire no later than it, so it cannot be used to escape
 * its maker's lifetime. Rejected (403) rather than capped, so a caller never holds a key whose
 * lifetime differs from the one it asked for; an absent `expires_at` (never) is later than any.
 */
function requireWithinLifetime(acting: AccountKey | null, expiresAt: Date | null): void {
  if (!acting?.expiresAt) return;
  if (expiresAt && expiresAt.getTime() <= Date.parse(acting.expiresAt)) return;
  throw new ForbiddenError(
    `An API key cannot create a key that outlives it: this key expires at ${acting.expiresAt}, so expires_at must be set and no later than that`,
  );
}

/** The unrevoked keys created by `keyId`, and by those, transitively (each once, makers first). */
export function descendantsOf(keys: Readonly<Record<string, AccountKey>>, keyId: string): string[] {
  const found: string[] = [];
  const frontier = [keyId];
  for (let parent = frontier.shift(); parent !== undefined; parent = frontier.shift()) {
    for (const [id, key] of Object.entries(keys)) {
      if (key.createdByKeyId !== parent || key.revoked || found.includes(id) || id === keyId) continue;
      found.push(id);
      frontier.push(id);
    }
  }
  return found;
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: () => ({ status: "absent" }),

  decide(command, state) {
    const at = command.now.toISOString();
    switch (command.type) {
      case "RegisterUser":
        if (state.status !== "absent") throw new ConflictError("User already exists");
        return [{ type: "UserRegistered", data: { userId: command.userId, email: command.email, registeredAt: at } }];
      case "CreateApiKey": {
        const account = registered(state);
        const { actor } = command;
        const acting = actingKey(account, actor);
        if (acting && !command.permissions.every((p) => acting.permissions.includes(p))) {
          throw new ForbiddenError("An API key cannot create a key with more permissions than it has");
        }
        requireFutureExpiry(command.expiresAt, command.now);
        requireWithinLifetime(acting, command.expiresAt);
        return [
          {
            type: "ApiKeyCreated",
            data: {
              keyId: command.keyId,
              userId: account.userId,
              label: command.label,
              permissions: [...new Set(command.permissions)],
              expiresAt: command.expiresAt?.toISOString() ?? null,
              keyHash: command.keyHash,
              keyPrefix: command.keyPrefix,
              createdAt: at,
              createdByKeyId: actor?.keyId ?? null,
            },
          },
        ];
      }
      case "RevokeApiKey": {
        const account = registered(state);
        const key = account.keys[command.keyId];
        if (!key || key.revoked) throw new NotFoundError("API key not found");
        const revoked = [command.keyId, ...(command.cascade ? descendantsOf(account.keys, command.keyId) : [])];
        return revoked.map((keyId) => ({ type: "ApiKeyRevoked", data: { keyId, userId: account.userId, revokedAt: at } }));
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case "UserRegistered":
        return { status: "registered", userId: event.data.userId, email: event.data.email, keys: {} };
      case "ApiKeyCreated":
        if (state.status !== "registered") return state;
        return {
          ...state,
          keys: {
            ...state.keys,
            [event.data.keyId]: {
              permissions: event.data.permissions,
              revoked: false,
              expiresAt: event.data.expiresAt,
              createdByKeyId: event.data.createdByKeyId,
            },
          },
        };
      case "ApiKeyRevoked": {
        if (state.status !== "registered") return state;
        const key = state.keys[event.data.keyId];
        return key ? { ...state, keys: { ...state.keys, [event.data.keyId]: { ...key, revoked: true } } } : state;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
