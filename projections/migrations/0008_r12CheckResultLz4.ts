import type { Migration } from "../migrations.js";

const COLUMNS = [
  ["ssl_checks", "result"],
  ["whois_checks", "result"],
] as const;

/**
 * Check results (an SSL result is ~4.6 kB of JSON) are stored compressed with lz4 instead of
 * pglz where the server has lz4 (PostgreSQL 14+, built with it): writing them was the largest
 * cost of a rebuild (issue 12; bench/profiles/3-rebuild.md), and lz4 compresses about twice as
 * fast. Values already stored keep their compression until rewritten (a rebuild rewrites all).
 */
export const migration: Migration = {
  name: "0008_r12_check_result_lz4",
  async up(knex) {
    const { rows } = await knex.raw<{ rows: { lz4: boolean }[] }>(
      "select coalesce(bool_or('lz4' = any(enumvals)), false) as lz4 from pg_settings where name = 'default_toast_compression'",
    );
    if (!rows[0]?.lz4) return;
    for (const [table, column] of COLUMNS) await knex.raw("alter table ?? alter column ?? set compression lz4", [table, column]);
  },
  async down(knex) {
    for (const [table, column] of COLUMNS) await knex.raw("alter table ?? alter column ?? set compression default", [table, column]);
  },
};
