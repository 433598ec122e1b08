// A domain's status, computed at query time from the expiry instants, so it moves with the
// clock. Thresholds are in whole days remaining (days_remaining = floor(days until expiry)):
//   expired  - a certificate or registration expiry has passed (days < 0), or the registry
//              no longer has the registration a previous check found (it lapsed or was deleted)
//   critical - days <= 7
//   error    - the latest check failed, or the chain is invalid
//   warning  - days <= 30
//   valid    - checked, none of the above
//   pending  - never checked yet (matches none of the filters above)
// Precedence is the order above: an expiring certificate is the most actionable fact.
import type { Knex } from "knex";

export const domainStatuses = ["valid", "warning", "critical", "expired", "error"] as const;
export type DomainStatus = (typeof domainStatuses)[number] | "pending";

export const CRITICAL_DAYS = 7;
export const WARNING_DAYS = 30;

/**
 * SQL for a row's soonest expiry: of the certificate chain (the earliest certificate, and the
 * leaf), and of the registration; null when none is known (never checked). least() skips nulls.
 * The index domains_user_soonest_expiry (migration 0017) is on exactly this expression.
 */
export const SOONEST_EXPIRY_SQL = "least(ssl_earliest_expiry, ssl_valid_to, whois_expiry)";

/**
 * SQL for the status of a row of the domains read model, at instant `now`: a value (or a
 * stand-in for it), or an SQL expression of type timestamptz, parenthesised (a column, when
 * each row has its own instant).
 */
export function statusSql(knex: Knex, now: Date | string | Knex.Raw): Knex.Raw {
  const at = now instanceof Date ? now.toISOString() : now;
  const soonest = SOONEST_EXPIRY_SQL;
  const within = (days: number) => knex.raw(`${soonest} < ?::timestamptz + make_interval(days => ?)`, [at, days + 1]);
  return knex.raw(
    `case
      when ssl_checked_at is null and whois_checked_at is null then 'pending'
      when ${soonest} < ?::timestamptz or (whois_lapsed and whois_expiry is not null) then 'expired'
      when ? then 'critical'
      when coalesce(ssl_check_failed, false) or coalesce(whois_check_failed, false) or ssl_chain_valid = false then 'error'
      when ? then 'warning'
      else 'valid'
    end`,
    [at, within(CRITICAL_DAYS), within(WARNING_DAYS)],
  );
}
