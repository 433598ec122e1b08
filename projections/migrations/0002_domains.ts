import type { Migration } from "../migrations.js";

export const migration: Migration = {
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
};
