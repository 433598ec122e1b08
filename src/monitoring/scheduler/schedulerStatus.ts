// What `ssltrackr scheduler status` shows, readable from any process: who leads (its
// heartbeat), what is due and not yet queued, the check queue (waiting, running, retrying,
// failed, the oldest waiting job, each worker's throughput) and which domains' last check
// failed (the read model's failure flags).
import type { Knex } from "knex";
import type { JobQueue } from "../../infrastructure/queue/jobQueue.js";
import { CHECK_QUEUE, checkJobData, type CheckKind } from "../checkJobs.js";
import type { SchedulerSettings } from "./checkScheduler.js";
import { DueChecks, kindsFlagged, type DueBacklog } from "./dueChecks.js";
import { currentLeader, type LeaderInfo } from "./schedulerLeader.js";

/** Failing domains and running checks listed in full; beyond this only their count. */
const LISTED = 50;
/** Throughput and recent failures are counted over this window. */
export const STATUS_WINDOW_MINUTES = 15;

export interface SchedulerStatus {
  readonly leader: LeaderInfo | null;
  /**
   * Due and not yet queued: the next sweeps queue them, most overdue first, up to the sweep's
   * bound (`sweepMaxJobs` waiting jobs) each tick.
   */
  readonly due: DueBacklog;
  readonly sweep: { readonly maxJobs: number; readonly tickSeconds: number };
  readonly queue: {
    /** Jobs waiting for a worker (including those waiting to be retried). */
    readonly depth: number;
    readonly running: number;
    readonly retrying: number;
    /** Failed for good (retries exhausted) within the window. */
    readonly failed: number;
    readonly oldestWaitingSince: Date | null;
  };
  readonly running: {
    readonly domainId: string;
    readonly hostname: string | null;
    readonly kind: CheckKind;
    readonly trigger: string;
    readonly startedAt: Date;
  }[];
  /** Checks completed within the window, per worker process. */
  readonly throughput: { readonly worker: string; readonly completed: number; readonly perMinute: number }[];
  readonly failing: {
    readonly count: Record<CheckKind, number>;
    readonly domains: { readonly domainId: string; readonly hostname: string; readonly kinds: CheckKind[] }[];
  };
}

export async function schedulerStatus(
  knex: Knex,
  queue: Pick<JobQueue, "stats">,
  settings: SchedulerSettings,
  now: Date,
): Promise<SchedulerStatus> {
  const [leader, due, stats, failing] = await Promise.all([
    currentLeader(knex),
    new DueChecks(knex, settings).backlog(now),
    queue.stats(CHECK_QUEUE, { windowMinutes: STATUS_WINDOW_MINUTES, byField: "worker", listed: LISTED }),
    failingDomains(knex),
  ]);
  const running = stats.runningJobs.flatMap((j) => {
    const data = checkJobData.safeParse(j.data);
    return data.success ? [{ ...data.data, startedAt: j.startedOn }] : [];
  });
  const hostnames = await hostnamesOf(knex, running.map((r) => r.domainId));
  return {
    leader,
    due,
    sweep: { maxJobs: settings.sweepMaxJobs, tickSeconds: settings.tickSeconds },
    queue: { depth: stats.waiting, running: stats.running, retrying: stats.retrying, failed: stats.failed, oldestWaitingSince: stats.oldestWaiting },
    running: running.map((r) => ({
      domainId: r.domainId,
      hostname: hostnames.get(r.domainId) ?? null,
      kind: r.kind,
      trigger: r.trigger,
      startedAt: r.startedAt,
    })),
    throughput: stats.completedBy.map((b) => ({
      worker: b.by ?? "unknown",
      completed: b.completed,
      perMinute: Math.round((b.completed / STATUS_WINDOW_MINUTES) * 10) / 10,
    })),
    failing,
  };
}

const monitored = (knex: Knex) => knex("domains").where("is_active", true).whereNull("deleted_at");

async function failingDomains(knex: Knex): Promise<SchedulerStatus["failing"]> {
  const [counts] = await monitored(knex).select(
    knex.raw("count(*) filter (where ssl_check_failed) as ssl"),
    knex.raw("count(*) filter (where whois_check_failed) as whois"),
  );
  const rows = await monitored(knex)
    .where((q) => q.where("ssl_check_failed", true).orWhere("whois_check_failed", true))
    .orderBy("hostname")
    .limit(LISTED)
    .select<{ id: string; hostname: string; ssl_check_failed: boolean | null; whois_check_failed: boolean | null }[]>(
      "id",
      "hostname",
      "ssl_check_failed",
      "whois_check_failed",
    );
  const count = counts as { ssl: string; whois: string } | undefined;
  return {
    count: { ssl: Number(count?.ssl ?? 0), whois: Number(count?.whois ?? 0) },
    domains: rows.map((r) => ({
      domainId: r.id,
      hostname: r.hostname,
      kinds: kindsFlagged(r.ssl_check_failed, r.whois_check_failed),
    })),
  };
}

async function hostnamesOf(knex: Knex, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await knex("domains").whereIn("id", ids).select<{ id: string; hostname: string }[]>("id", "hostname");
  return new Map(rows.map((r) => [r.id, r.hostname]));
}
