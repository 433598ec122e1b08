// Read model of users and API keys: backs authentication and GET /api-keys.
import { accountEventCodec, type AccountEvent } from "../src/accounts/events.js";
import { defineProjection } from "../src/infrastructure/projections/projection.js";

export const accountsProjection = defineProjection<AccountEvent>({
  name: "accounts",
  tables: ["users", "api_keys"],
  codecs: [accountEventCodec],
  async handle(trx, event) {
    switch (event.type) {
      case "UserRegistered":
        await trx("users")
          .insert({ id: event.data.userId, email: event.data.email, registered_at: event.data.registeredAt })
          .onConflict("id")
          .ignore();
        return;
      case "ApiKeyCreated": {
        const d = event.data;
        await trx("api_keys")
          .insert({
            id: d.keyId,
            user_id: d.userId,
            label: d.label,
            permissions: d.permissions,
            key_hash: d.keyHash,
            key_prefix: d.keyPrefix,
            expires_at: d.expiresAt,
            created_at: d.createdAt,
          })
          .onConflict("id")
          .ignore();
        return;
      }
      case "ApiKeyRevoked":
        await trx("api_keys").where({ id: event.data.keyId }).update({ revoked_at: event.data.revokedAt });
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});
