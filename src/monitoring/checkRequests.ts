// Checks someone asked for (POST /check, a domain just added): queued ahead of the schedule
// and run by whichever worker takes them, never in the requesting process unless it has
// workers itself. POST /check then waits for its jobs.
import { UnavailableError } from "../shared/errors.js";
import type { JobQueue } from "../infrastructure/queue/jobQueue.js";
import type { CheckTrigger } from "./checkEvents.js";
import { CHECK_PRIORITY, CHECK_QUEUE, checkJobKey, type CheckJobData, type CheckJobOutput, type CheckKind } from "./checkJobs.js";

const POLL_MS = 25;
/** Sends racing with the sweep (or another request) give up after this many tries. */
const MAX_SEND_ATTEMPTS = 5;

export class CheckRequests {
  constructor(
    private readonly queue: JobQueue,
    /** Called after sending: wakes this process's own workers, if any. */
    private readonly sent: () => void = () => undefined,
  ) {}

  /**
   * Queues a check of each kind at the trigger's priority; returns the job ids. A job of the
   * same key already waiting at a lower priority (scheduled) is replaced; one at the same or
   * a higher priority is joined (its id is returned).
   */
  async request(
    domainId: string,
    kinds: readonly CheckKind[],
    trigger: Exclude<CheckTrigger, "scheduled">,
    correlationId?: string,
    requestedBy?: CheckJobData["requestedBy"],
  ): Promise<string[]> {
    const ids = await Promise.all(
      kinds.map((kind) => this.requestOne({ domainId, kind, trigger, ...(correlationId ? { correlationId } : {}), ...(requestedBy ? { requestedBy } : {}) })),
    );
    this.sent();
    return ids;
  }

  private async requestOne(data: CheckJobData): Promise<string> {
    const key = checkJobKey(data.domainId, data.kind);
    const priority = CHECK_PRIORITY[data.trigger];
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      const id = await this.queue.send(CHECK_QUEUE, { data, key, priority });
      if (id) return id;
      const waiting = await this.queue.waiting(CHECK_QUEUE, key);
      if (waiting && waiting.priority >= priority) return waiting.id;
      if (waiting) await this.queue.cancel(CHECK_QUEUE, waiting.id);
    }
    throw new UnavailableError("The check could not be queued; try again shortly");
  }

  /**
   * Waits until every job finished and returns their outputs by id. Throws UnavailableError
   * when they do not finish within `timeoutMs` (no worker running, or all busy) or failed.
   */
  async awaitAll(ids: readonly string[], timeoutMs: number): Promise<Map<string, CheckJobOutput>> {
    const deadline = Date.now() + timeoutMs;
    const done = new Map<string, CheckJobOutput>();
    while (true) {
      for (const id of ids.filter((i) => !done.has(i))) {
        const job = await this.queue.job(CHECK_QUEUE, id);
        if (job?.state === "completed") done.set(id, job.output as CheckJobOutput);
        else if (!job || job.state === "failed" || job.state === "cancelled") {
          throw new UnavailableError("The check could not be completed; try again shortly");
        }
      }
      if (done.size === ids.length) return done;
      if (Date.now() >= deadline) throw new UnavailableError("No check worker finished this check in time; it stays queued, try again shortly");
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
