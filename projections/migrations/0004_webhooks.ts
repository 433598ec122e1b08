import type { Migration } from "../migrations.js";

export const migration: Migration = {
  name: "0004_webhooks",
  async up(knex) {
    await knex.schema.createTable("webhooks", (t) => {
      t.uuid("id").primary();
      t.uuid("user_id").notNullable();
      t.text("url").notNullable();
      t.specificType("alert_types", "text[]").notNullable();
      t.text("description").nullable();
      /** Needed to sign deliveries; never returned by GET. */
      t.text("secret").notNullable();
      t.boolean("is_active").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable();
      t.timestamp("updated_at", { useTz: true }).notNullable();
      t.timestamp("deleted_at", { useTz: true }).nullable();
      /** Last applied revision of the webhook's stream: makes replays harmless. */
      t.bigInteger("stream_revision").notNullable();
    });
    await knex.raw(`create index webhooks_user_created on webhooks (user_id, created_at desc, id) where deleted_at is null`);

    // The delivery outbox: rows are queued by the webhooks projection and then worked by
    // the delivery worker (status, attempts, lease).
    await knex.schema.createTable("webhook_deliveries", (t) => {
      t.uuid("id").primary();
      t.uuid("webhook_id").notNullable();
      t.uuid("user_id").notNullable();
      t.uuid("alert_id").nullable();
      t.text("event_type").notNullable();
      t.boolean("is_test").notNullable();
      /** The exact body sent on every attempt (text, so its bytes never change). */
      t.text("payload").notNullable();
      t.text("status").notNullable();
      t.integer("attempts").notNullable().defaultTo(0);
      t.jsonb("attempt_log").notNullable().defaultTo("[]");
      t.timestamp("next_attempt_at", { useTz: true }).nullable();
      t.text("lease_owner").nullable();
      t.timestamp("lease_expires_at", { useTz: true }).nullable();
      t.timestamp("last_attempt_at", { useTz: true }).nullable();
      t.integer("last_status_code").nullable();
      t.text("last_error").nullable();
      t.timestamp("delivered_at", { useTz: true }).nullable();
      t.timestamp("created_at", { useTz: true }).notNullable();
    });
    await knex.raw(`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`);
    await knex.raw(`create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, created_at desc, id)`);
  },
  async down(knex) {
    for (const t of ["webhook_deliveries", "webhooks"]) await knex.schema.dropTable(t);
  },
};
