import type { Migration } from "../migrations.js";

/**
 * GET /domains?sort=expires_at (the dashboard's default list) and ?tag=.
 * - The soonest expiry is an expression; with an index on it per user, each half of the
 *   checked-then-unchecked union (DomainQueries) is read in index order and cut at the page's
 *   end, as for the other expiry sorts (50 users x 1,000 domains: page 3 descending read 60
 *   index rows, not the user's 1,000). Written out, not imported, so this migration never
 *   changes; it must stay SOONEST_EXPIRY_SQL (src/monitoring/domainStatus.ts) for the planner
 *   to use it.
 * - No index for `tags ? :tag`: the planner narrowed to the user's rows first and filtered the
 *   tag there (a tag such as "prod" is common across users), leaving a GIN index on tags unused
 *   in the same test while every tag change would still pay for it.
 */
export const migration: Migration = {
  name: "0017_t16_domain_tags",
  async up(knex) {
    await knex.raw(
      `create index domains_user_soonest_expiry on domains (user_id, (least(ssl_earliest_expiry, ssl_valid_to, whois_expiry)), id) where deleted_at is null`,
    );
  },
  async down(knex) {
    await knex.raw(`drop index if exists domains_user_soonest_expiry`);
  },
};
