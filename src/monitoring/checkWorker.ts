// The check workers of one process: take check jobs from the queue (any process's, by
// priority), run them through CheckRunner, and complete each only once the read models show
// its result, so the kind is never due again while its check is on its way to them.
import { randomUUID } from "node:crypto";
import type { Logger } from "../infrastructure/logging/logger.js";
import type { FetchedJob, JobQueue } from "../infrastructure/queue/jobQueue.js";
import { WorkerPool } from "../infrastructure/queue/workerPool.js";
import type { GlobalPosition } from "../infrastructure/eventStore/eventStore.js";
import { CHECK_QUEUE, checkJobData, encodePosition, type CheckJobOutput } from "./checkJobs.js";
import type { CheckRunner } from "./checkRunner.js";
import type { DueChecks } from "./scheduler/dueChecks.js";

export interface CheckWorkerDeps {
  readonly queue: JobQueue;
  readonly runner: Pick<CheckRunner, "run">;
  readonly due: Pick<DueChecks, "lastChecked">;
  readonly projections: { waitFor(position: GlobalPosition): Promise<void> };
  /** This process's identity, recorded in each job's output. */
  readonly owner: string;
  readonly logger: Logger;
}

export interface CheckWorkerSettings {
  /** Checks this process runs at once. */
  readonly concurrency: number;
  /** How often an idle worker looks for jobs, in ms. */
  readonly pollMs: number;
  /** The check queue's lease, in seconds: renewed three times per lease while a check runs. */
  readonly leaseSeconds: number;
}

export function createCheckWorkers(deps: CheckWorkerDeps, settings: CheckWorkerSettings): WorkerPool<unknown> {
  return new WorkerPool<unknown>(deps.queue, {
    queue: CHECK_QUEUE,
    concurrency: settings.concurrency,
    pollMs: settings.pollMs,
    renewMs: (settings.leaseSeconds * 1000) / 3,
    handle: (job) => runCheckJob(deps, job),
    onError: (err, job) => deps.logger.error("check job failed", { jobId: job?.id, err }),
  });
}

/** Runs one job; throws (failing the job, which is retried) on errors that are not results. */
export async function runCheckJob(deps: CheckWorkerDeps, job: FetchedJob<unknown>): Promise<CheckJobOutput> {
  const data = checkJobData.parse(job.data);
  const worker = deps.owner;
  if (data.trigger === "scheduled" && data.seenCheckedAt !== undefined) {
    const last = await deps.due.lastChecked(data.domainId, data.kind);
    const seen = data.seenCheckedAt === null ? null : new Date(data.seenCheckedAt);
    if (last && (!seen || last > seen)) return { worker, outcome: "moot" };
  }
  const { requestedBy, ...check } = data;
  const ran = await deps.runner.run({ checkId: job.id, ...check }, { correlationId: data.correlationId ?? randomUUID(), ...requestedBy });
  if (!ran) return { worker, outcome: "gone" };
  if (ran.position) await deps.projections.waitFor(ran.position);
  return {
    worker,
    outcome: ran.position ? "recorded" : "duplicate",
    position: encodePosition(ran.position),
    // Only someone waiting for the job (POST /check) reads the result.
    ...(data.trigger === "scheduled" ? {} : { result: ran.result }),
  };
}
