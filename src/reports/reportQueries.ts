// Reads what the expiry report needs from the read models: the user's monitored domains that
// expire within the window or whose latest check failed, with the latest check facts of their
// current target (issuer, registrar, the failure). Paused and deleted domains are left out:
// nobody is watching them.
import type { Knex } from "knex";
import { DOMAINS_TABLE } from "../../projections/domains.js";
import { SSL_CHECKS_TABLE, WHOIS_CHECKS_TABLE } from "../../projections/checkHistory.js";
import type { Clock } from "../shared/clock.js";
import { DAY_MS } from "../shared/clock.js";
import { assembleReport, type ExpiringReport, type ReportRow } from "./expiringReport.js";

interface Failure {
  reason: string;
  message: string;
  checked_at: string;
}

type Row = Omit<ReportRow, "ssl_failure" | "whois_failure"> & { ssl_failure: Failure | null; whois_failure: Failure | null };

const toFailure = (f: Failure | null) => (f ? { reason: f.reason, message: f.message, checked_at: new Date(f.checked_at) } : null);

export class ReportQueries {
  constructor(
    private readonly knex: Knex,
    private readonly clock: Clock,
  ) {}

  /** The user's expiry report for the next `withinDays` days (see assembleReport). */
  async expiring(userId: string, withinDays: number): Promise<ExpiringReport> {
    const now = this.clock.now();
    // A generous cut in SQL (a day past the window); assembleReport applies the exact rule.
    const horizon = new Date(now.getTime() + (withinDays + 2) * DAY_MS).toISOString();
    const latest = (table: string, outcome: "ok" | "failed", port: boolean) =>
      `select c.result, c.checked_at from ${table} c
        where c.domain_id = d.id and c.outcome = '${outcome}' and c.result->>'hostname' = d.hostname
          ${port ? "and c.result->>'port' = d.port::text" : ""}
        order by c.checked_at desc limit 1`;
    const { rows } = await this.knex.raw<{ rows: Row[] }>(
      `with d as (
         select id, hostname, port, tags, ssl_grade, ssl_earliest_expiry, whois_expiry, whois_lapsed, ssl_check_failed, whois_check_failed
           from ${DOMAINS_TABLE}
          where user_id = :userId and deleted_at is null and is_active
            and (ssl_earliest_expiry < :horizon or whois_expiry < :horizon or whois_lapsed or ssl_check_failed or whois_check_failed)
       )
       select d.*,
              ssl_ok.result->'earliest_expiry'->>'subject' as ssl_subject,
              ssl_ok.result->>'issuer' as ssl_issuer,
              whois_ok.result->>'registrar' as registrar,
              case when d.ssl_check_failed then jsonb_build_object('reason', ssl_failed.result->>'reason', 'message', ssl_failed.result->>'message', 'checked_at', ssl_failed.checked_at) end as ssl_failure,
              case when d.whois_check_failed then jsonb_build_object('reason', whois_failed.result->>'reason', 'message', whois_failed.result->>'message', 'checked_at', whois_failed.checked_at) end as whois_failure
         from d
         left join lateral (${latest(SSL_CHECKS_TABLE, "ok", true)}) ssl_ok on true
         left join lateral (${latest(WHOIS_CHECKS_TABLE, "ok", false)}) whois_ok on true
         left join lateral (${latest(SSL_CHECKS_TABLE, "failed", true)}) ssl_failed on d.ssl_check_failed
         left join lateral (${latest(WHOIS_CHECKS_TABLE, "failed", false)}) whois_failed on d.whois_check_failed`,
      { userId, horizon },
    );
    return assembleReport(
      rows.map((r) => ({ ...r, ssl_failure: toFailure(r.ssl_failure), whois_failure: toFailure(r.whois_failure) })),
      now,
      withinDays,
    );
  }
}
