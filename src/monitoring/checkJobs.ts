// Checks as jobs on the distributed queue: one job per (domain, check kind), so the queue's
// per-key rule (at most one waiting and one running) is "never queued twice, never checked
// twice at once" across every process. The job id is the check id recorded on the domain's
// stream, so a job that runs again (a worker died after recording) is recorded once.
import { z } from "zod";
import type { GlobalPosition } from "../infrastructure/eventStore/eventStore.js";
import type { JobQueue, QueueSettings } from "../infrastructure/queue/jobQueue.js";
import { checkTrigger, type CheckTrigger } from "./checkEvents.js";

export const CHECK_QUEUE = "checks";

export const checkKind = z.enum(["ssl", "whois"]);
export type CheckKind = z.infer<typeof checkKind>;
export const CHECK_KINDS: readonly CheckKind[] = checkKind.options;

export const checkJobData = z.object({
  domainId: z.uuid(),
  kind: checkKind,
  trigger: checkTrigger,
  /**
   * Scheduled jobs: the domain's last check of this kind (`checked_at`) when the sweep found it
   * due, null when never checked. A later check by the time the job runs makes it moot.
   */
  seenCheckedAt: z.iso.datetime().nullable().optional(),
  /** The request that asked for the check: its events carry it, for audits and logs. */
  correlationId: z.string().optional(),
  /**
   * Who asked (POST /check): the check's events name them, as a history names who acted.
   * Absent for the system's own checks (scheduled, on create).
   */
  requestedBy: z
    .object({ userId: z.string(), apiKeyId: z.string().optional(), sessionId: z.string().optional() })
    .optional(),
});
export type CheckJobData = z.infer<typeof checkJobData>;

/** Higher runs first: a person waiting (POST /check), a domain just added or moved, then the schedule. */
export const CHECK_PRIORITY: Record<CheckTrigger, number> = { manual: 20, domain_added: 10, domain_moved: 10, scheduled: 0 };

export const checkJobKey = (domainId: string, kind: CheckKind): string => `${domainId}:${kind}`;

/** What a finished check job leaves in the queue (its output). */
export interface CheckJobOutput {
  /** The process that ran it (`scheduler status` throughput per worker). */
  readonly worker: string;
  /** recorded; duplicate (this check id was recorded before); moot (checked since queued); gone (domain removed). */
  readonly outcome: "recorded" | "duplicate" | "moot" | "gone";
  /** The checker's result, for jobs someone waits for (POST /check). */
  readonly result?: unknown;
  /** Where the recorded events are in the global log, as decimal strings. */
  readonly position?: { commit: string; prepare: string } | null;
}

export const encodePosition = (p: GlobalPosition | null) => (p ? { commit: p.commit.toString(), prepare: p.prepare.toString() } : null);
export const decodePosition = (p: CheckJobOutput["position"]): GlobalPosition | null =>
  p ? { commit: BigInt(p.commit), prepare: BigInt(p.prepare) } : null;

/**
 * Queue settings of checks: a job whose lease (60 s by default) runs out belongs to a dead
 * worker (live ones renew it) and runs elsewhere; maintenance looks every quarter lease, so
 * that happens within lease × 1.25 + a retry delay (1-2 s) + one poll.
 */
export const checkQueueSettings = (leaseSeconds: number): QueueSettings => ({
  leaseSeconds,
  retryLimit: 5,
  retryDelaySeconds: 1,
});

export async function ensureCheckQueue(queue: JobQueue, leaseSeconds: number): Promise<void> {
  await queue.ensureQueue(CHECK_QUEUE, checkQueueSettings(leaseSeconds));
}
