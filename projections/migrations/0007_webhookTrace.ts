import type { Migration } from "../migrations.js";

/** A delivery continues the trace of the command that raised its alert (OpenTelemetry). */
export const migration: Migration = {
  name: "0007_webhook_trace",
  async up(knex) {
    await knex.schema.alterTable("webhook_deliveries", (t) => {
      t.text("traceparent").nullable();
      t.text("tracestate").nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable("webhook_deliveries", (t) => {
      t.dropColumn("traceparent");
      t.dropColumn("tracestate");
    });
  },
};
