// What is due, derived from the domains read model alone (when each kind was last checked),
// so a restart or a new leader neither loses nor repeats a schedule.
//
// A domain's next check of a kind is `last check + interval × (1 + offset)`, where `offset`
// is a stable per-domain value in [-JITTER, +JITTER) hashed from its id. Domains added (or
// checked) together therefore fall due spread over ±10% of the interval, and the spread
// is the same after a restart. A never-checked domain is due at once (due since it was
// added). A kind with a job waiting or running on the check queue (see checkJobs.ts) is not
// due: it is being handled.
import type { Knex } from "knex";
import { pendingJobKeys } from "../../infrastructure/queue/jobQueue.js";
import { CHECK_QUEUE, type CheckKind } from "../checkJobs.js";

export const JITTER = 0.1;

export interface CheckIntervals {
  readonly sslIntervalMs: number;
  readonly whoisIntervalMs: number;
}

export interface DueCheck {
  readonly domainId: string;
  readonly kinds: CheckKind[];
  /** When each due kind was last checked (null: never), as the job's `seenCheckedAt`. */
  readonly checkedAt: Partial<Record<CheckKind, Date | null>>;
}

/** md5 of the id -> a stable fraction in [0, 1) -> a factor in [1 - JITTER, 1 + JITTER). */
const JITTER_FACTOR = `(1 + ${JITTER} * (2 * (('x' || substr(md5(d.id::text), 1, 8))::bit(32)::bigint / 4294967296.0) - 1))`;

// A never-checked kind has been due since the domain was added: a sweep bounded to the most
// overdue (checkScheduler.ts) then takes a bulk import in turn with checks overdue for longer,
// rather than ahead of every one of them.
const dueAt = (kind: CheckKind) =>
  `coalesce(d.${kind}_checked_at + make_interval(secs => :${kind}Secs * ${JITTER_FACTOR}), d.created_at)`;

// Read-model times come from the app clock (checked_at is the checker's), hence `:now`. A
// kind is pending when its key joined a waiting or running job (p_ssl, p_whois below).
const isDue = (kind: CheckKind) =>
  `(d.${kind}_checked_at is null or ${dueAt(kind)} <= :now) and p_${kind}.key is null`;

// The pending keys are read once and joined (hash joins), not probed per domain: the sweep
// reads 100k domains against up to 200k queued jobs in one pass.
const SCHEDULE = `
  with pending as materialized (${pendingJobKeys(CHECK_QUEUE)})
  select d.id,
         ${isDue("ssl")} as ssl_due,
         ${isDue("whois")} as whois_due,
         ${dueAt("ssl")} as ssl_due_at,
         ${dueAt("whois")} as whois_due_at,
         d.ssl_checked_at, d.whois_checked_at
    from domains d
    left join pending p_ssl on p_ssl.key = d.id::text || ':ssl'
    left join pending p_whois on p_whois.key = d.id::text || ':whois'
   where d.is_active and d.deleted_at is null
     -- The indexed pre-filter: nothing checked within the shortest jittered interval is due.
     and (d.ssl_checked_at is null or d.ssl_checked_at <= :sslEarliest
          or d.whois_checked_at is null or d.whois_checked_at <= :whoisEarliest)`;

/** Since when a schedule row (`s`) has been due: the earlier of its due kinds' due instants. */
const DUE_SINCE = `least(case when s.ssl_due then s.ssl_due_at end, case when s.whois_due then s.whois_due_at end)`;

// The due domains, most overdue first.
const DUE_IN_ORDER = `
  select s.id, s.ssl_due, s.whois_due, s.ssl_checked_at, s.whois_checked_at from (${SCHEDULE}) s
   where s.ssl_due or s.whois_due
   order by ${DUE_SINCE}, s.id`;

/** What is due and not yet queued: checks per kind, and since when the most overdue one is due. */
export interface DueBacklog extends Record<CheckKind, number> {
  /** The due instant (UTC) of the most overdue check not yet queued; null when none is due. */
  readonly oldestDueAt: Date | null;
}

/** The kinds whose flag is set, in a fixed order. */
export const kindsFlagged = (ssl: boolean | null, whois: boolean | null): CheckKind[] => [
  ...(ssl ? ["ssl" as const] : []),
  ...(whois ? ["whois" as const] : []),
];

interface ScheduleRow {
  id: string;
  ssl_due: boolean;
  whois_due: boolean;
  ssl_checked_at: Date | null;
  whois_checked_at: Date | null;
}

function dueCheck(r: ScheduleRow): DueCheck {
  const kinds = kindsFlagged(r.ssl_due, r.whois_due);
  return { domainId: r.id, kinds, checkedAt: Object.fromEntries(kinds.map((k) => [k, r[`${k}_checked_at`]])) };
}

export class DueChecks {
  constructor(
    private readonly knex: Knex,
    private readonly intervals: CheckIntervals,
  ) {}

  /** Up to `limit` due domains, most overdue first. */
  async next(now: Date, limit: number): Promise<DueCheck[]> {
    const { rows } = await this.knex.raw<{ rows: ScheduleRow[] }>(`${DUE_IN_ORDER} limit :limit`, { ...this.bindings(now), limit });
    return rows.map(dueCheck);
  }

  /**
   * The `limit` most overdue due domains, in pages of `pageSize`: one read of the schedule
   * (a cursor in a read-only transaction), not one per page; the limit lets PostgreSQL keep
   * only the top rows while it sorts. Read page by page, each page
   * scanned every domain and joined every queued key again, and a sweep of 100k due domains
   * read the schedule ten times (about 9 of its 20 s, bench workload 10b). The due set is that
   * of the cursor's snapshot; keys queued meanwhile are skipped by the queue itself.
   */
  async *pages(now: Date, pageSize: number, limit: number): AsyncGenerator<DueCheck[]> {
    const trx = await this.knex.transaction({ readOnly: true });
    try {
      await trx.raw(`declare due_sweep no scroll cursor for ${DUE_IN_ORDER} limit :limit`, { ...this.bindings(now), limit: Math.trunc(limit) });
      for (;;) {
        const { rows } = await trx.raw<{ rows: ScheduleRow[] }>(`fetch forward ${Math.trunc(pageSize)} from due_sweep`);
        if (rows.length > 0) yield rows.map(dueCheck);
        if (rows.length < pageSize) break;
      }
    } finally {
      await trx.commit();
    }
  }

  /** How many checks are due now and not yet queued, per kind, and the oldest due instant (`scheduler status`). */
  async backlog(now: Date): Promise<DueBacklog> {
    const { rows } = await this.knex.raw<{ rows: { ssl: string; whois: string; oldest: Date | null }[] }>(
      `select count(*) filter (where s.ssl_due) as ssl, count(*) filter (where s.whois_due) as whois, min(${DUE_SINCE}) as oldest
         from (${SCHEDULE}) s`,
      this.bindings(now),
    );
    return { ssl: Number(rows[0]?.ssl ?? 0), whois: Number(rows[0]?.whois ?? 0), oldestDueAt: rows[0]?.oldest ?? null };
  }

  /** When the domain's `kind` was last checked, as the read model shows it (null: never or gone). */
  async lastChecked(domainId: string, kind: CheckKind): Promise<Date | null> {
    const row = await this.knex("domains").where({ id: domainId }).first<Record<string, Date | null> | undefined>(`${kind}_checked_at`);
    return row?.[`${kind}_checked_at`] ?? null;
  }

  private bindings(now: Date) {
    const earliest = (intervalMs: number) => new Date(now.getTime() - intervalMs * (1 - JITTER));
    return {
      now,
      sslSecs: this.intervals.sslIntervalMs / 1000,
      whoisSecs: this.intervals.whoisIntervalMs / 1000,
      sslEarliest: earliest(this.intervals.sslIntervalMs),
      whoisEarliest: earliest(this.intervals.whoisIntervalMs),
    };
  }
}
