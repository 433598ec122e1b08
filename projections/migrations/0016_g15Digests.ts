import type { Migration } from "../migrations.js";

/**
 * E-mail digests (issue #15, 3): each user's settings (read model), and one row per digest
 * period claimed (not a read model: the scheduler's record that a period's digest was queued,
 * or had nothing to say). Its primary key is what makes a digest go out once per period
 * across processes; the delivery itself is a row of notification_deliveries.
 */
export const migration: Migration = {
  name: "0016_g15_digests",
  async up(knex) {
    await knex.schema.createTable("digest_settings", (t) => {
      t.uuid("user_id").primary();
      t.boolean("enabled").notNullable();
      t.jsonb("settings").notNullable();
      t.timestamp("updated_at", { useTz: true }).notNullable();
    });
    await knex.raw(`create index digest_settings_enabled on digest_settings (user_id) where enabled`);
    await knex.schema.createTable("digest_runs", (t) => {
      t.uuid("user_id").notNullable();
      /** The local date ("2026-12-01") or ISO week ("2026-W49") of the period, in the user's time zone. */
      t.text("period_key").notNullable();
      t.timestamp("ran_at", { useTz: true }).notNullable();
      /** The notification delivery queued; null when there was nothing to say. */
      t.uuid("delivery_id").nullable();
      t.primary(["user_id", "period_key"]);
    });
  },
  async down(knex) {
    for (const t of ["digest_runs", "digest_settings"]) await knex.schema.dropTable(t);
  },
};
