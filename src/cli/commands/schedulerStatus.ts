// `ssltrackr scheduler status [--json]`: the scheduler's leader, what is due, what is being
// checked and which domains' last check failed. Reads the database, so it works from any host.
import { parseArgs } from "node:util";
import { loadConfig } from "../../config.js";
import { schedulerSettings } from "../../monitoring/scheduler/checkScheduler.js";
import { schedulerStatus, type SchedulerStatus } from "../../monitoring/scheduler/schedulerStatus.js";
import { systemClock } from "../../shared/clock.js";
import { withServices } from "./cliContext.js";

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } } });
  const intervals = schedulerSettings(loadConfig());
  const status = await withServices((services, infra) =>
    schedulerStatus(infra.knex, services.claims, intervals, systemClock.now()),
  );
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
  due: s.due,
  running: s.running.map((r) => ({
    domain_id: r.domainId,
    hostname: r.hostname,
    kind: r.kind,
    owner: r.owner,
    claimed_at: r.claimedAt.toISOString(),
    expires_at: r.expiresAt.toISOString(),
  })),
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
    `due      ssl ${s.due.ssl}, whois ${s.due.whois}`,
    `running  ${s.running.length}`,
    ...s.running.map((r) => `  ${r.kind.padEnd(5)} ${r.hostname ?? r.domainId}  by ${r.owner} since ${r.claimedAt.toISOString()}`),
    `failing  ssl ${s.failing.count.ssl}, whois ${s.failing.count.whois}`,
    ...s.failing.domains.map((d) => `  ${d.kinds.join("+").padEnd(9)} ${d.hostname}`),
  ];
  return lines.join("\n") + "\n";
}
