// The check queue on GET /metrics, read at scrape time from the queue's own tables (the same
// figures as `ssltrackr scheduler status`), so every process reports the one shared queue:
//   ssltrackr_check_queue_jobs{state}              waiting (queue depth), running, retrying, failed (last 15 min)
//   ssltrackr_check_queue_oldest_waiting_seconds   age of the oldest waiting job, 0 when none waits
import { Gauge, Registry } from "prom-client";
import type { JobQueue } from "../infrastructure/queue/jobQueue.js";
import { CHECK_QUEUE } from "./checkJobs.js";
import { STATUS_WINDOW_MINUTES } from "./scheduler/schedulerStatus.js";

export async function collectCheckQueueGauges(queue: Pick<JobQueue, "stats">, now: Date): Promise<Registry> {
  const stats = await queue.stats(CHECK_QUEUE, { windowMinutes: STATUS_WINDOW_MINUTES, byField: "worker", listed: 0 });
  const registry = new Registry();
  const jobs = new Gauge({ name: "ssltrackr_check_queue_jobs", help: "Check jobs by state: waiting (the queue depth), running, retrying, failed in the last 15 minutes", labelNames: ["state"], registers: [registry] });
  jobs.set({ state: "waiting" }, stats.waiting);
  jobs.set({ state: "running" }, stats.running);
  jobs.set({ state: "retrying" }, stats.retrying);
  jobs.set({ state: "failed" }, stats.failed);
  const oldest = new Gauge({ name: "ssltrackr_check_queue_oldest_waiting_seconds", help: "Age of the oldest waiting check job; 0 when none waits", registers: [registry] });
  oldest.set(stats.oldestWaiting ? Math.max(0, (now.getTime() - stats.oldestWaiting.getTime()) / 1000) : 0);
  return registry;
}
