import type { Migration } from "../migrations.js";

/** Check history, alerts and alert settings (issue 5). */
export const migration: Migration = {
  name: "0003_monitoring",
  async up(knex) {
    for (const table of ["ssl_checks", "whois_checks"]) {
      await knex.schema.createTable(table, (t) => {
        t.uuid("id").primary();
        t.uuid("domain_id").notNullable();
        t.text("outcome").notNullable();
        t.text("trigger").notNullable();
        t.timestamp("checked_at", { useTz: true }).notNullable();
        /** The checker's result as recorded in the event. */
        t.jsonb("result").notNullable();
        t.index(["domain_id", "checked_at"]);
      });
    }
    await knex.schema.createTable("alerts", (t) => {
      t.uuid("id").primary();
      t.uuid("domain_id").notNullable();
      t.uuid("user_id").notNullable();
      t.text("hostname").notNullable();
      t.text("alert_type").notNullable();
      t.text("severity").notNullable();
      t.text("title").notNullable();
      t.text("message").notNullable();
      t.integer("threshold_days").nullable();
      t.timestamp("triggered_at", { useTz: true }).notNullable();
      t.index(["user_id", "triggered_at"]);
      t.index(["user_id", "domain_id", "triggered_at"]);
    });
    // The status uses the earliest expiry anywhere in the served chain (an intermediate can
    // expire before the leaf); ssl_valid_to stays the leaf's, as GET /domains/{id}/ssl shows.
    await knex.schema.alterTable("domains", (t) => {
      t.timestamp("ssl_earliest_expiry", { useTz: true }).nullable();
    });
    await knex.raw(`create index domains_user_earliest_expiry on domains (user_id, ssl_earliest_expiry) where deleted_at is null`);
    await knex.schema.createTable("alert_settings", (t) => {
      t.uuid("user_id").primary();
      t.jsonb("settings").notNullable();
      t.timestamp("updated_at", { useTz: true }).notNullable();
    });
  },
  async down(knex) {
    for (const t of ["alert_settings", "alerts", "whois_checks", "ssl_checks"]) await knex.schema.dropTable(t);
    await knex.schema.alterTable("domains", (t) => t.dropColumn("ssl_earliest_expiry"));
  },
};
