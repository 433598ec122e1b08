import type { Migration } from "../migrations.js";

/**
 * Dashboard sign-in (issue #16): passwords, sessions and failed sign-ins. Not read models:
 * no projection writes them and a rebuild leaves them alone (docs/decisions.md, "Dashboard
 * sign-in", says why passwords are not events).
 */
export const migration: Migration = {
  name: "0013_s16_sessions",
  async up(knex) {
    await knex.schema.createTable("user_credentials", (t) => {
      t.uuid("user_id").primary();
      /** PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash): parameters travel with it. */
      t.text("password_hash").notNullable();
      t.timestamp("updated_at", { useTz: true }).notNullable();
    });
    await knex.schema.createTable("user_sessions", (t) => {
      t.uuid("id").primary();
      t.uuid("user_id").notNullable().index();
      /** SHA-256 of the cookie's token: a copy of this table cannot sign anyone in. */
      t.text("token_hash").notNullable().unique();
      t.text("csrf_token").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable();
      t.timestamp("last_seen_at", { useTz: true }).notNullable();
      /** The absolute end; the idle end is last_seen_at plus the idle timeout (config). */
      t.timestamp("expires_at", { useTz: true }).notNullable();
      t.timestamp("revoked_at", { useTz: true }).nullable();
    });
    // Keyed by the e-mail address as typed (normalised), known or not: an unknown address
    // locks like a known one, so lockouts reveal nothing about who has an account.
    await knex.schema.createTable("sign_in_failures", (t) => {
      t.text("email").primary();
      t.integer("failures").notNullable();
      t.timestamp("last_failure_at", { useTz: true }).notNullable();
      t.timestamp("locked_until", { useTz: true }).nullable();
    });
  },
  async down(knex) {
    for (const t of ["sign_in_failures", "user_sessions", "user_credentials"]) await knex.schema.dropTable(t);
  },
};
