// `ssltrackr scheduler status [--json]`: the scheduler's leader, what is due and not yet queued
// (the bounded sweep's backlog, with its bound), the check queue
// (depth, running, retrying, failed, oldest waiting, per-worker throughput) and which
// domains' last check failed. Reads the database, so it works from any host.
import { parseArgs } from "node:util";
import { loadConfig } from "../../config.js";
import { schedulerSettings } from "../../monitoring/scheduler/checkScheduler.js";
import { STATUS_WINDOW_MINUTES, schedulerStatus, type SchedulerStatus } from "../../monitoring/scheduler/schedulerStatus.js";
import { systemClock } from "../../shared/clock.js";
import { withServices } from "./cliContext.js";

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } } });
  const settings = schedulerSettings(loadConfig());
  const status = await withServices((_services, infra) => schedulerStatus(infra.knex, infra.queue, settings, systemClock.now()));
  process.stdout.write(values.json ? JSON.stringify(toJson(status), null, 2) + "\n" : toText(status));
  return 0;
}

const toJson = (s: SchedulerStatus) => ({
  leader: s.leader && {
    owner: s.leader.owner,
    since: s.leader.since.toISOString(),
    heartbeat_at: s.leader.heartbeatAt.toISOString(),
    expires_at: s.leader.expiresAt.toISOString(),
  },
  due: { ssl: s.due.ssl, whois: s.due.whois, oldest_due_at: s.due.oldestDueAt?.toISOString() ?? null },
  sweep: { max_jobs: s.sweep.maxJobs, tick_seconds: s.sweep.tickSeconds },
  queue: {
    depth: s.queue.depth,
    running: s.queue.running,
    retrying: s.queue.retrying,
    failed: s.queue.failed,
    oldest_waiting_since: s.queue.oldestWaitingSince?.toISOString() ?? null,
  },
  running: s.running.map((r) => ({
    domain_id: r.domainId,
    hostname: r.hostname,
    kind: r.kind,
    trigger: r.trigger,
    started_at: r.startedAt.toISOString(),
  })),
  throughput: s.throughput.map((t) => ({ worker: t.worker, completed: t.completed, per_minute: t.perMinute })),
  throughput_window_minutes: STATUS_WINDOW_MINUTES,
  failing: {
    count: s.failing.count,
    domains: s.failing.domains.map((d) => ({ domain_id: d.domainId, hostname: d.hostname, kinds: d.kinds })),
  },
});

function toText(s: SchedulerStatus): string {
  const lines = [
    s.leader
      ? `leader   ${s.leader.owner} since ${s.leader.since.toISOString()} (heartbeat ${s.leader.heartbeatAt.toISOString()})`
      : "leader   none (no scheduler is running, or SSLTRACKR_SCHEDULER is off everywhere)",
    `due      ssl ${s.due.ssl}, whois ${s.due.whois} not yet queued${s.due.oldestDueAt ? ` (most overdue since ${s.due.oldestDueAt.toISOString()})` : ""}`,
    `sweep    tops the queue up to ${s.sweep.maxJobs} waiting jobs every ${s.sweep.tickSeconds} s, most overdue first`,
    `queue    ${s.queue.depth} waiting${s.queue.oldestWaitingSince ? ` (oldest since ${s.queue.oldestWaitingSince.toISOString()})` : ""}, ${s.queue.retrying} retrying, ${s.queue.failed} failed in ${STATUS_WINDOW_MINUTES} min`,
    `running  ${s.queue.running}`,
    ...s.running.map((r) => `  ${r.kind.padEnd(5)} ${r.hostname ?? r.domainId}  ${r.trigger} since ${r.startedAt.toISOString()}`),
    `workers  ${s.throughput.length === 0 ? "no check completed" : ""}in the last ${STATUS_WINDOW_MINUTES} min`,
    ...s.throughput.map((t) => `  ${t.worker}  ${t.completed} checks (${t.perMinute}/min)`),
    `failing  ssl ${s.failing.count.ssl}, whois ${s.failing.count.whois}`,
    ...s.failing.domains.map((d) => `  ${d.kinds.join("+").padEnd(9)} ${d.hostname}`),
  ];
  return lines.join("\n") + "\n";
}
