import type { Migration } from "../migrations.js";

/**
 * Issue #15, alert lifecycle: an alert is open, acknowledged or resolved; a domain may be
 * muted until an instant. Existing alerts are open (nothing resolved them yet); their
 * `stream_revision` is 0, below every later event of their stream, so those still apply.
 */
export const migration: Migration = {
  name: "0012_n15_alert_lifecycle",
  async up(knex) {
    await knex.schema.alterTable("alerts", (t) => {
      t.text("state").notNullable().defaultTo("open");
      t.timestamp("acknowledged_at", { useTz: true }).nullable();
      t.timestamp("resolved_at", { useTz: true }).nullable();
      t.text("resolve_reason").nullable();
      /** Last applied revision of the domain's stream: a replayed acknowledgement cannot reopen a resolved alert. */
      t.bigInteger("stream_revision").notNullable().defaultTo(0);
    });
    await knex.raw(`create index alerts_user_state on alerts (user_id, state, triggered_at desc, id)`);
    await knex.schema.alterTable("domains", (t) => {
      t.timestamp("muted_until", { useTz: true }).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable("domains", (t) => t.dropColumn("muted_until"));
    await knex.raw(`drop index alerts_user_state`);
    await knex.schema.alterTable("alerts", (t) => {
      for (const c of ["state", "acknowledged_at", "resolved_at", "resolve_reason", "stream_revision"]) t.dropColumn(c);
    });
  },
};
