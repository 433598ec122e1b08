// The monitoring loop. A node-schedule job ticks every few seconds in every app process; on
// each tick the process either is (or becomes) the leader, or does nothing. The leader keeps
// up to `concurrency` checks running, pulling the next due ones from the read model as each
// domain finishes, so a backlog drains at full speed and not one batch per tick.
//
// What keeps a domain from being checked twice in a window:
// - one leader (schedulerLeader.ts), and a domain in flight here is never started again;
// - a finished check stays "in flight" until the read model shows it, so it is not due again;
// - across processes (a manual check, a leader change) the check claims: a live claim makes
//   a kind not due, and CheckRunner skips a kind claimed elsewhere.
// A process that dies mid-check leaves a claim that expires; the kind is then due again.
import { randomUUID } from "node:crypto";
import schedule from "node-schedule";
import type { Knex } from "knex";
import type { Config } from "../../config.js";
import type { Written } from "../../infrastructure/commandHandling/written.js";
import type { Logger } from "../../infrastructure/logging/logger.js";
import type { LeaderSession } from "../../infrastructure/postgres/leaderLock.js";
import type { Clock } from "../../shared/clock.js";
import { NotFoundError } from "../../shared/errors.js";
import type { CheckRunner } from "../checkRunner.js";
import { DueChecks, type CheckIntervals, type DueCheck } from "./dueChecks.js";
import { SCHEDULER_LOCK, SchedulerLeader } from "./schedulerLeader.js";
import { serviceMetrics } from "../../infrastructure/telemetry/metrics.js";

export interface SchedulerSettings extends CheckIntervals {
  /** Seconds between ticks; a divisor of 60. */
  readonly tickSeconds: number;
  /** Checks (domain × kind) the leader runs at once. */
  readonly concurrency: number;
  /** A domain whose scheduled check threw is left alone this long, so it cannot spin. */
  readonly errorBackoffMs: number;
}

const HOUR_MS = 3_600_000;
/** A heartbeat vouches for the leader this many ticks. */
const HEARTBEAT_TICKS = 3;

export const schedulerSettings = (config: Config): SchedulerSettings => ({
  tickSeconds: config.SSLTRACKR_SCHEDULER_TICK_SECONDS,
  concurrency: config.SSLTRACKR_CHECK_CONCURRENCY,
  sslIntervalMs: config.SSLTRACKR_SSL_INTERVAL_HOURS * HOUR_MS,
  whoisIntervalMs: config.SSLTRACKR_WHOIS_INTERVAL_HOURS * HOUR_MS,
  errorBackoffMs: 10 * 60_000,
});

export interface SchedulerDeps {
  readonly knex: Knex;
  /** This process's leader session: the scheduler's lock is one more on it. */
  readonly leaderSession: LeaderSession;
  readonly runner: Pick<CheckRunner, "run">;
  readonly projections: { waitFor(written: Written): Promise<void> };
  /** This process's identity: the same as its check claims', so status can match them. */
  readonly owner: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class CheckScheduler {
  readonly leader: SchedulerLeader;
  private readonly due: DueChecks;
  /** domainId -> its check in flight here (of `kinds` kinds). */
  private readonly inFlight = new Map<string, { kinds: number; done: Promise<void> }>();
  /** domainId -> clock time (ms) before which this process does not retry it. */
  private readonly backoff = new Map<string, number>();
  private job: schedule.Job | undefined;
  private ticking: Promise<void> | undefined;
  private filling: Promise<void> | undefined;
  private fillAgain = false;
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

  /** Checks this process is running now. */
  get running(): number {
    let n = 0;
    for (const { kinds } of this.inFlight.values()) n += kinds;
    return n;
  }

  /** Leads if it can, then starts due checks. A tick still running is not overlapped. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.ticking ??= this.leadAndFill().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Stops ticking, waits for the checks in flight, and hands the lead over. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.job?.cancel();
    await Promise.allSettled([this.ticking, this.filling]);
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    await this.leader.resign().catch((err: unknown) => this.deps.logger.warn("scheduler resign failed", { err }));
  }

  private async leadAndFill(): Promise<void> {
    try {
      if (!(await this.leader.tryLead())) return;
      await this.recordBacklog();
      await this.fill();
    } catch (err) {
      this.deps.logger.error("scheduler tick failed", { err });
    }
  }

  /** The scheduler_backlog metric: checks due now, per kind (once a tick, by the leader). */
  private async recordBacklog(): Promise<void> {
    const due = await this.due.count(this.deps.clock.now());
    for (const kind of ["ssl", "whois"] as const) serviceMetrics().schedulerBacklog.record(due[kind], { kind });
  }

  /** Concurrent requests (a tick, finished checks) coalesce into one pass at a time. */
  private fill(): Promise<void> {
    if (this.filling) {
      this.fillAgain = true;
      return this.filling;
    }
    this.filling = (async () => {
      do {
        this.fillAgain = false;
        await this.fillOnce();
      } while (this.fillAgain);
    })().finally(() => {
      this.filling = undefined;
    });
    return this.filling;
  }

  private async fillOnce(): Promise<void> {
    while (!this.stopped && this.leader.isLeader) {
      const free = this.settings.concurrency - this.running;
      if (free <= 0) return;
      const batch = await this.due.next(this.deps.clock.now(), free, [...this.inFlight.keys(), ...this.backingOff()]);
      if (this.stopped) return;
      // A domain's kinds beyond the free slots wait: it is due again once this check is done.
      for (const { domainId, kinds } of batch) {
        const room = this.settings.concurrency - this.running;
        if (room > 0) this.launch({ domainId, kinds: kinds.slice(0, room) });
      }
      if (batch.length < free) return;
    }
  }

  private launch(due: DueCheck): void {
    if (this.inFlight.has(due.domainId)) return;
    const done = this.check(due).finally(() => {
      this.inFlight.delete(due.domainId);
      if (this.stopped) return;
      this.fill().catch((err: unknown) => this.deps.logger.error("scheduler refill failed", { err }));
    });
    this.inFlight.set(due.domainId, { kinds: due.kinds.length, done });
  }

  private async check({ domainId, kinds }: DueCheck): Promise<void> {
    try {
      const outcome = await this.deps.runner.run(domainId, kinds, "scheduled", { correlationId: randomUUID() });
      // Until the read model shows this check, the domain would still look due.
      if (outcome.position) await this.deps.projections.waitFor(outcome.position);
    } catch (err) {
      this.backoff.set(domainId, this.deps.clock.now().getTime() + this.settings.errorBackoffMs);
      // Removed while due: the read model had not caught up yet.
      if (err instanceof NotFoundError) this.deps.logger.debug("scheduled domain is gone", { domainId });
      else this.deps.logger.error("scheduled check failed", { domainId, kinds, err });
    }
  }

  private backingOff(): string[] {
    const now = this.deps.clock.now().getTime();
    for (const [id, until] of this.backoff) if (until <= now) this.backoff.delete(id);
    return [...this.backoff.keys()];
  }
}
