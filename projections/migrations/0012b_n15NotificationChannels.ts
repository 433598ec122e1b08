import type { Migration } from "../migrations.js";

/** Notification channels (issue #15, 2): the channels, what routing needs of each domain, and their delivery outbox. */
export const migration: Migration = {
  name: "0012b_n15_notification_channels",
  async up(knex) {
    await knex.schema.createTable("notification_channels", (t) => {
      t.uuid("id").primary();
      t.uuid("user_id").notNullable();
      t.text("type").notNullable();
      t.text("name").notNullable();
      /** Settings the API returns. */
      t.jsonb("config").notNullable();
      /** Field -> sealed value (AES-256-GCM); opened only by the delivery worker, never returned. */
      t.jsonb("sealed_secrets").notNullable();
      t.specificType("alert_types", "text[]").notNullable();
      t.text("min_severity").notNullable();
      t.specificType("tags", "text[]").notNullable();
      t.jsonb("template").nullable();
      t.boolean("is_active").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable();
      t.timestamp("updated_at", { useTz: true }).notNullable();
      t.timestamp("deleted_at", { useTz: true }).nullable();
      t.bigInteger("stream_revision").notNullable();
    });
    await knex.raw(`create index notification_channels_user on notification_channels (user_id, created_at desc, id) where deleted_at is null`);

    // The channels projection's own copy of what routing needs of a domain, so matching sees
    // the domain as it was at the alert's position (one checkpoint, as for webhooks).
    await knex.schema.createTable("notification_domains", (t) => {
      t.uuid("id").primary();
      t.uuid("user_id").notNullable();
      t.specificType("tags", "text[]").notNullable();
      t.timestamp("muted_until", { useTz: true }).nullable();
      t.bigInteger("stream_revision").notNullable();
    });

    await knex.schema.createTable("notification_deliveries", (t) => {
      t.uuid("id").primary();
      t.uuid("channel_id").notNullable();
      t.uuid("user_id").notNullable();
      t.uuid("alert_id").nullable();
      /** alert.raised, alert.resolved, alert.acknowledged. */
      t.text("event_type").notNullable();
      t.boolean("is_test").notNullable();
      /** The alert's facts (JSON); the message is rendered from them when sent. */
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
      t.text("traceparent").nullable();
      t.text("tracestate").nullable();
    });
    await knex.raw(`create index notification_deliveries_due on notification_deliveries (next_attempt_at) where status = 'pending'`);
    await knex.raw(`create index notification_deliveries_channel on notification_deliveries (channel_id, created_at desc, id)`);
    await knex.raw(`create index notification_deliveries_alert on notification_deliveries (alert_id) where alert_id is not null`);
  },
  async down(knex) {
    for (const t of ["notification_deliveries", "notification_domains", "notification_channels"]) await knex.schema.dropTable(t);
  },
};
