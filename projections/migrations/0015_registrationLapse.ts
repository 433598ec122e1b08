import type { Migration } from "../migrations.js";

/**
 * The registry answered "no such domain" at the latest check (issue #10's follow-up): with a
 * registration seen before, the domain's status is `expired`. In both tables the status is
 * computed from (the domains read model and analytics.domain_status_current); null until a
 * registration check of the current hostname. Rows of domains that lapsed before this
 * migration show it from their next check, or at once after a rebuild.
 */
const TABLES = [
  { schema: "public", name: "domains" },
  { schema: "analytics", name: "domain_status_current" },
];

export const migration: Migration = {
  name: "0015_registration_lapse",
  async up(knex) {
    for (const table of TABLES) await knex.schema.withSchema(table.schema).alterTable(table.name, (t) => t.boolean("whois_lapsed").nullable());
  },
  async down(knex) {
    for (const table of TABLES) await knex.schema.withSchema(table.schema).alterTable(table.name, (t) => t.dropColumn("whois_lapsed"));
  },
};
