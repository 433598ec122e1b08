// A domain's status, computed at query time from the expiry instants, so it moves with the
// clock. Thresholds are in whole days remaining (days_remaining = floor(days until expiry)):
//   expired  - a certificate or registration expiry has passed (days < 0)
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

/** SQL for the status of a row of the domains read model, at instant `now` (or a stand-in for it). */
export function statusSql(knex: Knex, now: Date | string): Knex.Raw {
  const at = typeof now === "string" ? now : now.toISOString();
  const soonest = "least(ssl_earliest_expiry, ssl_valid_to, whois_expiry)";
  const within = (days: number) => knex.raw(`${soonest} < ?::timestamptz + make_interval(days => ?)`, [at, days + 1]);
  return knex.raw(
    `case
      when ssl_checked_at is null and whois_checked_at is null then 'pending'
      when ${soonest} < ?::timestamptz then 'expired'
      when ? then 'critical'
      when coalesce(ssl_check_failed, false) or coalesce(whois_check_failed, false) or ssl_chain_valid = false then 'error'
      when ? then 'warning'
      else 'valid'
    end`,
    [at, within(CRITICAL_DAYS), within(WARNING_DAYS)],
  );
}
