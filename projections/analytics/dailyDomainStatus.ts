// analytics.daily_domain_status: how many of each user's active domains were in each status
// at the end of each UTC day. The projection's clock is the time the events carry: when an
// event from a later day arrives, every day before it is over, and each is recorded from the
// check facts as they stand before that event is applied (domain_status_current), evaluated
// at the day's last instant by the same rule as the API's status. A day is written once: an
// event whose time falls in a day already recorded changes later days only.
import type { Knex } from "knex";
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import { statusSql } from "../../src/monitoring/domainStatus.js";
import { DAY_MS } from "../../src/shared/clock.js";
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
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** "YYYY-MM-DD" in UTC (event times are ISO instants in UTC). */
const utcDay = (iso: string) => new Date(iso).toISOString().slice(0, 10);
const startOfNextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS);
const nextDay = (day: string) => utcDay(startOfNextDay(day).toISOString());

async function recordDay(trx: Knex.Transaction, day: string): Promise<void> {
  const endOfDay = startOfNextDay(day);
  await trx.raw(
    `insert into ?? (user_id, day, status, domain_count)
     select user_id, ?::date, status, count(*)::int
     from (
       select d.user_id, ? as status
       from ?? d left join ?? s on s.domain_id = d.domain_id
       where d.is_active and d.removed_at is null
     ) active
     group by user_id, status
     on conflict do nothing`,
    [
      ANALYTICS.dailyDomainStatus,
      day,
      statusSql(trx, endOfDay),
      ANALYTICS.domains,
      ANALYTICS.domainStatusCurrent,
    ],
  );
}

/** Records the days that `event` shows to be over. Call before the event changes any table. */
export async function recordFinishedDays(trx: Knex.Transaction, event: DomainStreamEvent): Promise<void> {
  const today = utcDay(eventTime(event));
  const cursor = await trx(ANALYTICS.dailyStatusCursor).first<{ open_day: string } | undefined>(trx.raw("open_day::text as open_day"));
  if (!cursor) {
    await trx(ANALYTICS.dailyStatusCursor).insert({ open_day: today });
    return;
  }
  if (cursor.open_day >= today) return;
  for (let day = cursor.open_day; day < today; day = nextDay(day)) await recordDay(trx, day);
  await trx(ANALYTICS.dailyStatusCursor).update({ open_day: today });
}
