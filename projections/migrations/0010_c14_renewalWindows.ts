import type { Migration } from "../migrations.js";

/**
 * Issue #14: when each domain's certificate is due for renewal. The CA's window (ACME ARI)
 * counts only while it is about the certificate still served; otherwise two thirds into the
 * certificate's lifetime. Derived by PostgreSQL from the facts the projection writes, so an
 * SSL check and an ARI look-up, which arrive as separate events, never overwrite each other.
 */
export const migration: Migration = {
  name: "0010_c14_renewal_windows",
  async up(knex) {
    await knex.schema.alterTable("domains", (t) => {
      t.text("ssl_fingerprint").nullable();
      t.timestamp("ssl_lifetime_due_at", { useTz: true }).nullable();
      t.text("ari_fingerprint").nullable();
      t.timestamp("ari_window_start", { useTz: true }).nullable();
      t.timestamp("ari_window_end", { useTz: true }).nullable();
      t.text("ari_explanation_url").nullable();
      t.timestamp("ari_fetched_at", { useTz: true }).nullable();
    });
    await knex.raw(`alter table domains add column renewal_due_at timestamptz generated always as (
      case when ari_fingerprint = ssl_fingerprint and ari_window_start is not null then ari_window_start else ssl_lifetime_due_at end) stored`);
    await knex.raw(`create index domains_user_renewal_due on domains (user_id, renewal_due_at, id) where deleted_at is null`);
  },
  async down(knex) {
    await knex.raw(`drop index if exists domains_user_renewal_due`);
    await knex.schema.alterTable("domains", (t) => {
      for (const c of ["renewal_due_at", "ssl_fingerprint", "ssl_lifetime_due_at", "ari_fingerprint", "ari_window_start", "ari_window_end", "ari_explanation_url", "ari_fetched_at"]) {
        t.dropColumn(c);
      }
    });
  },
};
