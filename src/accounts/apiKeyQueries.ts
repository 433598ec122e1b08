// Queries on the accounts read model: authentication lookups and the key listing.
import type { Knex } from "knex";
import { paginate } from "../infrastructure/postgres/pagination.js";
import type { ApiKeyActor } from "./actor.js";
import type { ApiKeyListItem } from "./apiKeyApi.js";
import type { Permission } from "./events.js";
import type { KeyUsageTracker } from "./keyUsageTracker.js";
import type { VerifiedKeyCache } from "./verifiedKeyCache.js";

interface ApiKeyRow {
  id: string;
  user_id: string;
  label: string;
  permissions: Permission[];
  key_prefix: string;
  key_hash: string;
  expires_at: Date | null;
  created_at: Date;
  last_used_at?: Date | null;
}

/** Which of `keyHashes` belong to keys that are neither revoked nor expired at `now`. */
export async function usableKeyHashes(knex: Knex, keyHashes: string[], now: Date): Promise<Set<string>> {
  const rows: Pick<ApiKeyRow, "key_hash">[] = await knex("api_keys")
    .select("key_hash")
    .whereIn("key_hash", keyHashes)
    .whereNull("revoked_at")
    .andWhere((q) => q.whereNull("expires_at").orWhere("expires_at", ">", now));
  return new Set(rows.map((r) => r.key_hash));
}

export class ApiKeyQueries {
  constructor(
    private readonly knex: Knex,
    private readonly usage: KeyUsageTracker,
    private readonly verified?: VerifiedKeyCache,
  ) {}

  /**
   * The actor for a key hash, if the key exists, is not revoked and has not expired: from the
   * in-process cache of verified keys when it holds the key, else from the read model.
   */
  async authenticate(keyHash: string, now: Date): Promise<ApiKeyActor | null> {
    const cached = this.verified?.get(keyHash, now);
    if (cached) return cached;
    const token = this.verified?.token();
    const row: Pick<ApiKeyRow, "id" | "user_id" | "permissions" | "expires_at"> | undefined = await this.knex("api_keys")
      .select("id", "user_id", "permissions", "expires_at")
      .where({ key_hash: keyHash })
      .whereNull("revoked_at")
      .andWhere((q) => q.whereNull("expires_at").orWhere("expires_at", ">", now))
      .first();
    if (!row) return null;
    const actor: ApiKeyActor = { kind: "apiKey", userId: row.user_id, keyId: row.id, permissions: row.permissions };
    if (token !== undefined) this.verified?.put(keyHash, actor, row.expires_at, token);
    return actor;
  }

  /** Stops trusting a key this process has just revoked (other processes hear of it). */
  forget(keyId: string): void {
    this.verified?.forgetKey(keyId);
  }

  async list(userId: string, page: number, perPage: number) {
    return paginate(
      this.knex,
      this.knex("api_keys").where({ user_id: userId }).whereNull("revoked_at"),
      page,
      perPage,
      (q) =>
        q
          .leftJoin("api_key_usage", "api_key_usage.key_id", "api_keys.id")
          .select("api_keys.*", "api_key_usage.last_used_at")
          .orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }]),
      (r: ApiKeyRow): ApiKeyListItem => ({
        id: r.id,
        label: r.label,
        key_prefix: r.key_prefix,
        permissions: r.permissions,
        expires_at: r.expires_at?.toISOString() ?? null,
        last_used_at: this.usage.latest(r.id, r.last_used_at ?? null)?.toISOString() ?? null,
        created_at: r.created_at.toISOString(),
      }),
    );
  }
}
