import type { Migration } from "../migrations.js";

export const migration: Migration = {
  name: "0001_checkpoints_and_accounts",
  async up(knex) {
    await knex.schema.createTable("projection_checkpoints", (t) => {
      t.text("name").primary();
      t.bigInteger("commit_position").nullable();
      t.bigInteger("prepare_position").nullable();
      t.bigInteger("events_processed").notNullable().defaultTo(0);
      t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await knex.schema.createTable("users", (t) => {
      t.uuid("id").primary();
      t.text("email").notNullable().unique();
      t.timestamp("registered_at", { useTz: true }).notNullable();
    });
    await knex.schema.createTable("api_keys", (t) => {
      t.uuid("id").primary();
      t.uuid("user_id").notNullable().index();
      t.text("label").notNullable();
      t.specificType("permissions", "text[]").notNullable();
      t.text("key_hash").notNullable().unique();
      t.text("key_prefix").notNullable();
      t.timestamp("expires_at", { useTz: true }).nullable();
      t.timestamp("created_at", { useTz: true }).notNullable();
      t.timestamp("revoked_at", { useTz: true }).nullable();
    });
    // Written by the API's usage tracker, not by a projector: last use is operational
    // telemetry, not a domain fact, and must not cost a write per request.
    await knex.schema.createTable("api_key_usage", (t) => {
      t.uuid("key_id").primary();
      t.timestamp("last_used_at", { useTz: true }).notNullable();
    });
  },
  async down(knex) {
    for (const t of ["api_key_usage", "api_keys", "users", "projection_checkpoints"]) await knex.schema.dropTable(t);
  },
};
