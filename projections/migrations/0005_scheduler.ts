import type { Migration } from "../migrations.js";

/** The check scheduler (issue 5): due-work indexes and the leader's heartbeat row. */
export const migration: Migration = {
  name: "0005_scheduler",
  async up(knex) {
    // The due query's range test on the last check of each kind (see dueChecks.ts).
    await knex.raw(`create index domains_ssl_due on domains (ssl_checked_at nulls first) where is_active and deleted_at is null`);
    await knex.raw(`create index domains_whois_due on domains (whois_checked_at nulls first) where is_active and deleted_at is null`);
    // Who schedules, so any process can show it (the advisory lock itself is anonymous).
    // Operational state written by the leader, not by a projector: rebuilds leave it alone.
    await knex.schema.createTable("scheduler_leader", (t) => {
      t.text("name").primary();
      t.text("owner").notNullable();
      t.timestamp("since", { useTz: true }).notNullable();
      t.timestamp("heartbeat_at", { useTz: true }).notNullable();
      t.timestamp("expires_at", { useTz: true }).notNullable();
    });
  },
  async down(knex) {
    await knex.schema.dropTable("scheduler_leader");
    await knex.raw(`drop index domains_whois_due`);
    await knex.raw(`drop index domains_ssl_due`);
  },
};
