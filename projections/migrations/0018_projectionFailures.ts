import type { Migration } from "../migrations.js";

/**
 * A projection that fails on a batch retries it every second, and until now only a log line
 * said so: the checkpoint row now carries since when it has failed and the last error, set by
 * the process that runs it, cleared by its next commit, and read by every process (GET
 * /metrics, `ssltrackr projections status`).
 */
export const migration: Migration = {
  name: "0018_projection_failures",
  async up(knex) {
    await knex.raw("alter table projection_checkpoints add column failing_since timestamptz, add column last_error text");
  },
  async down(knex) {
    await knex.raw("alter table projection_checkpoints drop column failing_since, drop column last_error");
  },
};
