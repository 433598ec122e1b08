// Schema of the read models, in order. Add new migrations at the end; never edit one that
// has shipped.
import type { Knex } from "knex";

export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [
  {
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
  },
  {
    name: "0002_domains",
    async up(knex) {
      await knex.schema.createTable("domains", (t) => {
        t.uuid("id").primary();
        t.uuid("user_id").notNullable();
        t.text("hostname").notNullable();
        t.integer("port").notNullable();
        t.boolean("is_active").notNullable();
        t.text("notes").nullable();
        t.jsonb("tags").notNullable();
        t.timestamp("created_at", { useTz: true }).notNullable();
        t.timestamp("updated_at", { useTz: true }).notNullable();
        t.timestamp("deleted_at", { useTz: true }).nullable();
        /** Last applied revision of the domain's stream: makes replays harmless. */
        t.bigInteger("stream_revision").notNullable();
        t.text("ssl_grade").nullable();
        t.timestamp("ssl_valid_to", { useTz: true }).nullable();
        t.boolean("ssl_chain_valid").nullable();
        t.boolean("ssl_check_failed").nullable();
        t.timestamp("ssl_checked_at", { useTz: true }).nullable();
        t.timestamp("whois_expiry", { useTz: true }).nullable();
        t.boolean("whois_check_failed").nullable();
        t.timestamp("whois_checked_at", { useTz: true }).nullable();
      });
      await knex.raw(`create index domains_user_created on domains (user_id, created_at desc, id) where deleted_at is null`);
      await knex.raw(`create index domains_user_hostname on domains (user_id, hostname, id) where deleted_at is null`);
      await knex.raw(`create index domains_user_ssl_expiry on domains (user_id, ssl_valid_to, id) where deleted_at is null`);
      await knex.raw(`create index domains_user_whois_expiry on domains (user_id, whois_expiry, id) where deleted_at is null`);
    },
    async down(knex) {
      await knex.schema.dropTable("domains");
    },
  },
];
