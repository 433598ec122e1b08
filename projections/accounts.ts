// Read model of users and API keys: backs authentication and GET /api-keys. Rows are keyed
// by ids from the events; a revocation sets a fact that a replay sets to the same value.
import { accountEventCodec, type AccountEvent } from "../src/accounts/events.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { insertRows, RowChanges, type Row } from "../src/infrastructure/projections/rowWrites.js";
import { storableInstant } from "../src/shared/instant.js";

/** Pure: the batch's users, and its keys (a key revoked in the batch it was created in is inserted revoked). */
export function foldAccounts(events: readonly Decoded<AccountEvent>[]): { users: Row[]; keys: RowChanges } {
  const users: Row[] = [];
  const keys = new RowChanges("id");
  for (const { event } of events) {
    switch (event.type) {
      case "UserRegistered":
        users.push({ id: event.data.userId, email: event.data.email, registered_at: event.data.registeredAt });
        break;
      case "ApiKeyCreated": {
        const d = event.data;
        keys.insert({
          id: d.keyId,
          user_id: d.userId,
          label: d.label,
          permissions: d.permissions,
          key_hash: d.keyHash,
          key_prefix: d.keyPrefix,
          expires_at: storableInstant(d.expiresAt),
          created_at: d.createdAt,
          revoked_at: null,
        });
        break;
      }
      case "ApiKeyRevoked":
        keys.patch(event.data.keyId, { revoked_at: event.data.revokedAt });
        break;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
  return { users, keys };
}

export const accountsProjection = defineProjection({
  name: "accounts",
  tables: ["users", "api_keys"],
  codec: accountEventCodec,
  eventTypes: ["UserRegistered", "ApiKeyCreated", "ApiKeyRevoked"],
  async applyBatch(trx, events) {
    const { users, keys } = foldAccounts(events);
    // Users before keys: a key's row references its user.
    await insertRows(trx, "users", users, { key: ["id"], onConflict: "ignore" });
    await keys.write(trx, "api_keys", { onConflict: "ignore" });
  },
});
