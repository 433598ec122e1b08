// The schedule. A node-schedule job ticks every few seconds in every process that has the
// scheduler on; on each tick the process either is (or becomes) the leader, or does nothing.
// The leader sweeps due work from the domains read model onto the check queue, one job per
// (domain, kind); it checks nothing itself. Workers in any process run the jobs.
//
// Why nothing is queued or checked twice, even across a leader change:
// - a kind with a job waiting or running is not due (dueChecks.ts), and the queue refuses a
//   second waiting job of one key (checkJobs.ts), so two overlapping leaders queue it once;
// - a worker completes a job only once the read model shows its check, so the kind is not
//   due again meanwhile; a scheduled job that finds a newer check than the one the sweep saw
//   is moot and completes without checking (checkWorker.ts).
// Nothing is dropped: the schedule lives in the read model, and queued jobs in PostgreSQL.
//
// A sweep is bounded (back-pressure): it tops the queue up to `sweepMaxJobs` waiting jobs,
// most overdue first, and leaves the rest due in the read model for the next ticks. Queueing
// every check of 100k never-checked domains at once (200k jobs) costs PostgreSQL 8-25 s of
// inserts (bench/profiles/10b-sweep.md); and a queue holding hours of work goes stale when
// schedules change. Most overdue first means every due check is queued in turn: one left
// behind only grows more overdue than those due after it. Jobs already waiting count against
// the bound, so the queue holds at most about one cap of waiting work; POST /check and
// check-on-create send their own jobs, unbounded, at a higher priority.
import schedule from "node-schedule";
import type { Knex } from "knex";
import type { Config } from "../../config.js";
import type { Logger } from "../../infrastructure/logging/logger.js";
import type { LeaderSession } from "../../infrastructure/postgres/leaderLock.js";
import type { JobQueue, NewJob } from "../../infrastructure/queue/jobQueue.js";
import type { Clock } from "../../shared/clock.js";
import { CHECK_PRIORITY, CHECK_QUEUE, checkJobKey, type CheckJobData } from "../checkJobs.js";
import { DueChecks, type CheckIntervals, type DueCheck } from "./dueChecks.js";
import { SCHEDULER_LOCK, SchedulerLeader } from "./schedulerLeader.js";
import { serviceMetrics } from "../../infrastructure/telemetry/metrics.js";

export interface SchedulerSettings extends CheckIntervals {
  /** Seconds between ticks; a divisor of 60. */
  readonly tickSeconds: number;
  /** A sweep leaves at most this many jobs waiting on the check queue (waiting ones count). */
  readonly sweepMaxJobs: number;
}

const HOUR_MS = 3_600_000;
/** A heartbeat vouches for the leader this many ticks. */
const HEARTBEAT_TICKS = 3;
/** Due domains queued per insert of a sweep (the sweep reads them all, in one query). */
const SWEEP_PAGE = 10_000;

export const schedulerSettings = (config: Config): SchedulerSettings => ({
  tickSeconds: config.SSLTRACKR_SCHEDULER_TICK_SECONDS,
  sslIntervalMs: config.SSLTRACKR_SSL_INTERVAL_HOURS * HOUR_MS,
  whoisIntervalMs: config.SSLTRACKR_WHOIS_INTERVAL_HOURS * HOUR_MS,
  sweepMaxJobs: config.SSLTRACKR_SWEEP_MAX_JOBS,
});

export interface SchedulerDeps {
  readonly knex: Knex;
  /** This process's leader session: the scheduler's lock is one more on it. */
  readonly leaderSession: LeaderSession;
  readonly queue: Pick<JobQueue, "insert" | "waitingCount">;
  /** This process's identity (as its workers'), so status can name the leader. */
  readonly owner: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Other periodic work of the leader, run after each sweep (the e-mail digests). Each must be
   * safe to run in two processes at once: a leader change can overlap two leaders briefly.
   */
  readonly leaderTasks?: readonly LeaderTask[];
}

export interface LeaderTask {
  run(): Promise<unknown>;
}

/** The jobs of due checks: scheduled priority, each remembering the check it follows. */
export const scheduledJobs = (due: readonly DueCheck[]): NewJob<CheckJobData>[] =>
  due.flatMap(({ domainId, kinds, checkedAt }) =>
    kinds.map((kind) => ({
      key: checkJobKey(domainId, kind),
      priority: CHECK_PRIORITY.scheduled,
      data: { domainId, kind, trigger: "scheduled" as const, seenCheckedAt: checkedAt[kind]?.toISOString() ?? null },
    })),
  );

export class CheckScheduler {
  readonly leader: SchedulerLeader;
  private readonly due: DueChecks;
  private job: schedule.Job | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly settings: SchedulerSettings,
  ) {
    this.due = new DueChecks(deps.knex, settings);
    this.leader = new SchedulerLeader(
      deps.knex,
      deps.leaderSession.lock(SCHEDULER_LOCK),
      deps.owner,
      settings.tickSeconds * 1000 * HEARTBEAT_TICKS,
    );
  }

  /** Ticks now, then every `tickSeconds`. */
  start(): void {
    const rule = new schedule.RecurrenceRule();
    rule.second = new schedule.Range(0, 59, this.settings.tickSeconds);
    this.job = schedule.scheduleJob(rule, () => void this.tick());
    void this.tick();
  }

  /** Leads if it can, then queues due checks. A tick still running is not overlapped. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.ticking ??= this.leadAndSweep().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Stops ticking and hands the lead over. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.job?.cancel();
    await this.ticking;
    await this.leader.resign().catch((err: unknown) => this.deps.logger.warn("scheduler resign failed", { err }));
  }

  private async leadAndSweep(): Promise<void> {
    try {
      if (!(await this.leader.tryLead())) return;
      const queued = await this.sweep();
      if (queued > 0) this.deps.logger.debug("scheduled checks queued", { queued });
      await this.recordBacklog();
    } catch (err) {
      this.deps.logger.error("scheduler tick failed", { err });
    }
    if (!this.leader.isLeader) return;
    for (const task of this.deps.leaderTasks ?? []) {
      await task.run().catch((err: unknown) => this.deps.logger.error("scheduler task failed", { err }));
    }
  }

  /**
   * Queues the most overdue due checks, a page at a time, until `sweepMaxJobs` jobs wait on the
   * check queue; returns how many jobs were offered (0 when the queue is already that full).
   * A domain due for both kinds at the bound may have its second kind left for the next sweep.
   */
  async sweep(): Promise<number> {
    const budget = this.settings.sweepMaxJobs - (await this.deps.queue.waitingCount(CHECK_QUEUE));
    let queued = 0;
    if (budget <= 0) return queued;
    // Every due domain brings at least one job, so `budget` domains are enough to read.
    for await (const page of this.due.pages(this.deps.clock.now(), Math.min(SWEEP_PAGE, budget), budget)) {
      if (this.stopped || !this.leader.isLeader) break;
      const jobs = scheduledJobs(page).slice(0, budget - queued);
      await this.deps.queue.insert(CHECK_QUEUE, jobs);
      queued += jobs.length;
      if (queued >= budget) break;
    }
    return queued;
  }

  /** The scheduler_backlog metric: checks due and not yet queued, per kind. */
  private async recordBacklog(): Promise<void> {
    const due = await this.due.backlog(this.deps.clock.now());
    for (const kind of ["ssl", "whois"] as const) serviceMetrics().schedulerBacklog.record(due[kind], { kind });
  }
}
