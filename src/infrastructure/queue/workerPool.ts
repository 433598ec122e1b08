// Runs jobs of one queue in this process, up to `concurrency` at once. A free slot fetches
// at once (a finished job pulls the next one, so a backlog drains at full speed); an empty
// queue is polled every `pollMs`, and `wake()` (a job sent by this process) skips the wait.
// A handler that returns completes its job with the returned output; one that throws fails
// it (pg-boss retries it with backoff). While jobs run, their leases are renewed every
// `renewMs`, so only a dead process's jobs expire.
import type { FetchedJob, JobQueue } from "./jobQueue.js";

export interface WorkerPoolOptions<T> {
  readonly queue: string;
  readonly concurrency: number;
  readonly pollMs: number;
  /** How often running jobs' leases are renewed: a fraction of the lease. */
  readonly renewMs: number;
  readonly handle: (job: FetchedJob<T>) => Promise<object>;
  readonly onError: (err: unknown, job?: FetchedJob<T>) => void;
}

export class WorkerPool<T> {
  /** Job id -> its run. */
  private readonly running = new Map<string, Promise<void>>();
  private renewal: NodeJS.Timeout | undefined;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  /** A wake-up that came while the loop was not sleeping: its next sleep is skipped. */
  private woken = false;
  /** Jobs this pool finished (completed or failed), for throughput metrics and tests. */
  finished = 0;

  constructor(
    private readonly jobs: JobQueue,
    private readonly options: WorkerPoolOptions<T>,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
    this.renewal = setInterval(() => {
      this.jobs.renew(this.options.queue, [...this.running.keys()]).catch((err: unknown) => this.options.onError(err));
    }, this.options.renewMs);
  }

  /** Looks for work now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Takes no more jobs and waits for those running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.running.values()]);
    clearInterval(this.renewal);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const free = this.options.concurrency - this.running.size;
      let fetched: FetchedJob<T>[] = [];
      if (free > 0) {
        try {
          fetched = await this.jobs.fetch<T>(this.options.queue, free);
        } catch (err) {
          this.options.onError(err);
        }
      }
      for (const job of fetched) this.launch(job);
      // Full, or nothing waiting: sleep until a slot frees, a wake-up, or the next poll.
      if (fetched.length === 0 || fetched.length === free) await this.pause(free > 0 && fetched.length === 0 ? this.options.pollMs : 60_000);
    }
  }

  private launch(job: FetchedJob<T>): void {
    const done: Promise<void> = this.execute(job).finally(() => {
      this.running.delete(job.id);
      this.finished++;
      this.wake();
    });
    this.running.set(job.id, done);
  }

  private async execute(job: FetchedJob<T>): Promise<void> {
    try {
      const output = await this.options.handle(job);
      await this.jobs.complete(this.options.queue, job.id, output);
    } catch (err) {
      this.options.onError(err, job);
      await this.jobs.fail(this.options.queue, job.id, err).catch((e: unknown) => this.options.onError(e, job));
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped || this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
