// analytics.daily_domain_status: how many of each user's active domains were in each status
// at the end of each UTC day. The projection's clock is the time the events carry: when an
// event from a later day arrives, every day before it is over, and each is recorded from the
// check facts as they stand before that event is applied (domain_status_current), evaluated
// at the day's last instant by the same rule as the API's status. A day is written once: an
// event whose time falls in a day already recorded changes later days only.
import type { Knex } from "knex";
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import { statusSql } from "../../src/monitoring/domainStatus.js";
import { ANALYTICS } from "./tables.js";

/** When the event happened, by the clock of whoever decided it. */
function eventTime(event: DomainStreamEvent): string {
  switch (event.type) {
    case "DomainAdded":
      return event.data.addedAt;
    case "DomainUpdated":
      return event.data.updatedAt;
    case "DomainRemoved":
      return event.data.removedAt;
    case "SslChecked":
    case "SslCheckFailed":
    case "WhoisChecked":
    case "WhoisCheckFailed":
      return event.data.result.checked_at;
    case "AlertRaised":
      return event.data.triggeredAt;
    case "RenewalInfoFetched":
      return event.data.info.fetched_at;
    case "AlertResolved":
      return event.data.resolvedAt;
    case "AlertAcknowledged":
      return event.data.acknowledgedAt;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The UTC day ("YYYY-MM-DD") the event happened on (event times are ISO instants in UTC). */
export const dayOf = (event: DomainStreamEvent) => new Date(eventTime(event)).toISOString().slice(0, 10);

/** The days from `from` up to the day before `until` ("YYYY-MM-DD"), ended by an event of day `until`. */
export interface FinishedDays {
  readonly from: string;
  readonly until: string;
}

/**
 * Records the finished days, each from the tables as they stand (so call it when they hold
 * what the events before the closing one made of them), with the status rule evaluated at
 * the day's end (the next day at 00:00 UTC). A day already recorded is left as it is.
 */
export async function recordDays(trx: Knex.Transaction, days: FinishedDays): Promise<void> {
  // timestamp without time zone, then "at time zone 'UTC'": the session's zone plays no part.
  const endOfDay = trx.raw("((g.day + interval '1 day') at time zone 'UTC')");
  await trx.raw(
    `insert into ?? (user_id, day, status, domain_count)
     select user_id, day, status, count(*)::int
     from (
       select d.user_id, g.day::date as day, ? as status
       from generate_series(?::timestamp, ?::timestamp - interval '1 day', interval '1 day') g(day)
       cross join ?? d left join ?? s on s.domain_id = d.domain_id
       where d.is_active and d.removed_at is null
     ) active
     group by user_id, day, status
     on conflict do nothing`,
    [ANALYTICS.dailyDomainStatus, statusSql(trx, endOfDay), days.from, days.until, ANALYTICS.domains, ANALYTICS.domainStatusCurrent],
  );
}

/** Moves the cursor to `day` (the first event ever creates it). */
export async function writeOpenDay(trx: Knex.Transaction, day: string): Promise<void> {
  await trx.raw("insert into ?? (open_day) values (?) on conflict (singleton) do update set open_day = excluded.open_day", [ANALYTICS.dailyStatusCursor, day]);
}
