// The distributed work queue: pg-boss on the application's PostgreSQL (schema "pgboss").
// Why pg-boss (and not graphile-worker): docs/decisions.md. This module is the only one that
// imports it; features see named queues of keyed, prioritised jobs.
//
// Guarantees relied on elsewhere:
// - A queue's policy is "stately": per key, at most one job waiting (created or retry) and
//   one running (active), enforced by pg-boss's unique indexes, so enqueueing a key that is
//   already waiting is a no-op (`send` answers null), whichever process does it.
// - A job that is not completed within its lease (`leaseSeconds`, database time) is failed
//   by pg-boss's maintenance and retried by another worker: a process that dies mid-job
//   delays it by at most lease + maintenance interval + retry delay + one poll. Retries keep
//   the job id. A live worker renews the lease of its running jobs (`renew`), which pg-boss
//   itself cannot do (its expiry counts from the start), so a slow job is not run twice.
import PgBoss from "pg-boss";

export const QUEUE_SCHEMA = "pgboss";

export type JobState = "created" | "retry" | "active" | "completed" | "cancelled" | "failed";

export interface QueueSettings {
  /** A running job not completed after this many seconds is presumed dead and retried. */
  readonly leaseSeconds: number;
  /** Retries of a job whose handler threw (or whose lease ran out), with exponential backoff. */
  readonly retryLimit: number;
  /** Seconds before the first retry (doubled each time). */
  readonly retryDelaySeconds: number;
}

export interface NewJob<T extends object> {
  readonly data: T;
  /** Jobs with one key never wait twice at once (the queue's de-duplication). */
  readonly key: string;
  /** Higher runs first. */
  readonly priority: number;
}

export interface FetchedJob<T> {
  readonly id: string;
  readonly data: T;
}

export interface JobSnapshot {
  readonly state: JobState;
  readonly output: unknown;
}

export interface QueueStats {
  readonly waiting: number;
  readonly running: number;
  readonly retrying: number;
  readonly failed: number;
  readonly oldestWaiting: Date | null;
  readonly runningJobs: { readonly id: string; readonly key: string | null; readonly data: unknown; readonly startedOn: Date }[];
  readonly completedBy: { readonly by: string | null; readonly completed: number }[];
}

export interface JobQueueOptions {
  readonly databaseUrl: string;
  /** Connections of the queue's own pool. */
  readonly poolMax: number;
  readonly onError: (err: unknown) => void;
  /**
   * How often maintenance runs (expiring dead leases, archiving), in seconds; one process does
   * it each time. Null: this process takes no part (one-shot commands).
   */
  readonly maintenanceSeconds: number | null;
}

export class JobQueue {
  private constructor(private readonly boss: PgBoss) {}

  /** Opens the queue, creating or migrating its schema (safe with several processes at once). */
  static async open(options: JobQueueOptions): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: QUEUE_SCHEMA,
      max: options.poolMax,
      application_name: "ssltrackr-queue",
      // Cron is node-schedule's job here (the scheduler's ticks), not pg-boss's.
      schedule: false,
      supervise: options.maintenanceSeconds !== null,
      ...(options.maintenanceSeconds !== null ? { maintenanceIntervalSeconds: options.maintenanceSeconds } : {}),
      // Finished jobs stay in the job table for an hour (`scheduler status` throughput), are
      // then archived, and dropped after a week.
      archiveCompletedAfterSeconds: 3600,
      archiveFailedAfterSeconds: 7 * 86_400,
      deleteAfterDays: 7,
    });
    boss.on("error", options.onError);
    await boss.start();
    return new JobQueue(boss);
  }

  /** Creates the queue if missing (another process may be creating it at the same moment). */
  async ensureQueue(name: string, settings: QueueSettings): Promise<void> {
    const options: PgBoss.Queue = {
      name,
      policy: "stately",
      expireInSeconds: settings.leaseSeconds,
      retryLimit: settings.retryLimit,
      retryDelay: settings.retryDelaySeconds,
      retryBackoff: true,
    };
    if (await this.boss.getQueue(name)) {
      await this.boss.updateQueue(name, options);
      return;
    }
    try {
      await this.boss.createQueue(name, options);
    } catch (err) {
      if (!(await this.boss.getQueue(name))) throw err;
    }
  }

  /** Enqueues one job; null when a job with its key is already waiting. */
  async send<T extends object>(queue: string, job: NewJob<T>): Promise<string | null> {
    return this.boss.send(queue, job.data, { singletonKey: job.key, priority: job.priority });
  }

  /** Enqueues many jobs in one statement; those whose key is already waiting are skipped. */
  async insert<T extends object>(queue: string, jobs: readonly NewJob<T>[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(jobs.map((j) => ({ name: queue, data: j.data, singletonKey: j.key, priority: j.priority })));
  }

  /**
   * Renews the lease of running jobs: their expiry counts from now. pg-boss 10 has no call for
   * this, so it moves `started_on`, from which its maintenance measures `expire_in`.
   */
  async renew(queue: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.boss
      .getDb()
      .executeSql(`update ${QUEUE_SCHEMA}.job set started_on = now() where name = $1 and id = any($2::uuid[]) and state = 'active'`, [queue, ids]);
  }

  /** How many jobs of `queue` wait for a worker (created, or waiting to be retried). */
  async waitingCount(queue: string): Promise<number> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(`select count(*)::int as n from ${QUEUE_SCHEMA}.job where name = $1 and state in ('created', 'retry')`, [queue]);
    return (rows[0] as { n: number }).n;
  }

  /** The job waiting (not yet running) under `key`, if any. */
  async waiting(queue: string, key: string): Promise<{ id: string; priority: number } | null> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `select id, priority from ${QUEUE_SCHEMA}.job where name = $1 and singleton_key = $2 and state in ('created', 'retry') limit 1`,
        [queue, key],
      );
    const row = rows[0] as { id: string; priority: number } | undefined;
    return row ?? null;
  }

  /** Cancels waiting or running jobs (a running handler is not interrupted). */
  async cancel(queue: string, id: string): Promise<void> {
    await this.boss.cancel(queue, id);
  }

  /** Takes up to `count` waiting jobs, highest priority first, marking them active. */
  async fetch<T>(queue: string, count: number): Promise<FetchedJob<T>[]> {
    const jobs = await this.boss.fetch<T>(queue, { batchSize: count, priority: true });
    return jobs.map((j) => ({ id: j.id, data: j.data }));
  }

  async complete(queue: string, id: string, output: object): Promise<void> {
    await this.boss.complete(queue, id, output);
  }

  /** Fails the job; it is retried while retries remain. */
  async fail(queue: string, id: string, error: unknown): Promise<void> {
    await this.boss.fail(queue, id, { message: error instanceof Error ? error.message : String(error) });
  }

  /** A job's state and output, archived ones included; null when unknown. */
  async job(queue: string, id: string): Promise<JobSnapshot | null> {
    const job = await this.boss.getJobById(queue, id, { includeArchive: true });
    return job ? { state: job.state, output: job.output } : null;
  }

  /**
   * What `scheduler status` shows of a queue: jobs waiting (created or retry), running,
   * waiting for a retry, failed for good within `windowMinutes`, when the oldest waiting job
   * was queued, the running jobs (up to `listed`) and jobs completed within the window
   * per value of the output field `byField` (the worker that ran them).
   */
  async stats(queue: string, options: { windowMinutes: number; byField: string; listed: number }): Promise<QueueStats> {
    const db = this.boss.getDb();
    const [counts, running, finished] = await Promise.all([
      db.executeSql(
        `select count(*) filter (where state in ('created', 'retry'))::int as waiting,
                count(*) filter (where state = 'active')::int as running,
                count(*) filter (where state = 'retry')::int as retrying,
                count(*) filter (where state = 'failed' and completed_on > now() - make_interval(mins => $2))::int as failed,
                min(created_on) filter (where state in ('created', 'retry')) as oldest_waiting
           from ${QUEUE_SCHEMA}.job where name = $1`,
        [queue, options.windowMinutes],
      ),
      db.executeSql(
        `select id, singleton_key as key, data, started_on from ${QUEUE_SCHEMA}.job
          where name = $1 and state = 'active' order by started_on limit $2`,
        [queue, options.listed],
      ),
      db.executeSql(
        `select output->>$3 as by, count(*)::int as completed from ${QUEUE_SCHEMA}.job
          where name = $1 and state = 'completed' and completed_on > now() - make_interval(mins => $2)
          group by 1 order by 1`,
        [queue, options.windowMinutes, options.byField],
      ),
    ]);
    const c = counts.rows[0] as { waiting: number; running: number; retrying: number; failed: number; oldest_waiting: Date | null };
    return {
      waiting: c.waiting,
      running: c.running,
      retrying: c.retrying,
      failed: c.failed,
      oldestWaiting: c.oldest_waiting,
      runningJobs: (running.rows as { id: string; key: string | null; data: unknown; started_on: Date }[]).map((r) => ({
        id: r.id,
        key: r.key,
        data: r.data,
        startedOn: r.started_on,
      })),
      completedBy: (finished.rows as { by: string | null; completed: number }[]).map((r) => ({ by: r.by, completed: r.completed })),
    };
  }

  /** Stops maintenance and closes the queue's pool (callers stop their workers first). */
  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
  }
}

/**
 * SQL selecting the keys (`key`) of jobs of `queue` waiting or running, for queries that must
 * leave such keys out (the due-work sweep joins it once, rather than probing per row). Reads
 * pg-boss's job table; `state <= 'active'` is the predicate of its per-key index.
 */
export const pendingJobKeys = (queue: string): string =>
  `select j.singleton_key as key from ${QUEUE_SCHEMA}.job j
    where j.name = '${queue}' and j.state <= 'active' and j.singleton_key is not null`;
