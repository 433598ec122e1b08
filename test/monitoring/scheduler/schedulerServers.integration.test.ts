// The scheduler as servers run it: started with the server, ticking through node-schedule,
// stopped on close, and reported by `ssltrackr scheduler status` (also with checks failing,
// retrying and waiting).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { expect } from "chai";
import type { RunningServer } from "../../../src/app/server.js";
import type { QueueSettings } from "../../../src/infrastructure/queue/jobQueue.js";
import { CHECK_QUEUE, checkQueueSettings } from "../../../src/monitoring/checkJobs.js";
import { scheduledJobs } from "../../../src/monitoring/scheduler/checkScheduler.js";
import { schedulerStatus } from "../../../src/monitoring/scheduler/schedulerStatus.js";
import { ManualClock, systemClock } from "../../../src/shared/clock.js";
import { WITHOUT_CHECKS } from "../../support/apiHelpers.js";
import { FakeCheckers } from "../../support/checkFixtures.js";
import { eventually } from "../../support/eventually.js";
import { startPeerServer, startTestServer, testConfig, type TestServer } from "../../support/testServer.js";

const SCHEDULED = {
  SSLTRACKR_SCHEDULER: "true",
  SSLTRACKR_SCHEDULER_TICK_SECONDS: "1",
  SSLTRACKR_CHECK_ON_CREATE: "false",
};
const HOUR = 3_600_000;
const SETTINGS = { sslIntervalMs: 12 * HOUR, whoisIntervalMs: 24 * HOUR, tickSeconds: 1, sweepMaxJobs: 5000 };

async function addDomain(server: RunningServer, userId: string, hostname = `${randomUUID().slice(0, 8)}.example.com`): Promise<{ id: string; hostname: string }> {
  const { domainId, position } = await server.services.domains.add({ correlationId: randomUUID(), userId }, { hostname, port: 443, notes: null, tags: [] });
  if (position) await server.services.projections.waitFor(position);
  return { id: domainId, hostname };
}

/** `ssltrackr scheduler status` (the compiled CLI) on `databaseUrl`, with its own configuration. */
async function statusCli(databaseUrl: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["bin/ssltrackr.js", "scheduler", "status", ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
  });
  return stdout;
}

describe("Scheduler in running servers (integration)", () => {
  const clock = new ManualClock(new Date("2030-01-01T00:00:00Z"));
  const checkers = new FakeCheckers(clock);
  let t: TestServer;
  let peer: RunningServer;
  let userId: string;

  before(async () => {
    t = await startTestServer({ clock, checkers, env: SCHEDULED });
    peer = await startPeerServer(t.db.url, { clock, checkers, env: SCHEDULED });
    ({ userId } = await t.createUser());
  });
  after(async () => {
    checkers.hold = undefined;
    release();
    await peer?.close();
    await t?.close();
  });

  const addHost = async (server: RunningServer, hostname?: string) => (await addDomain(server, userId, hostname)).hostname;
  const checked = (hostname: string) => ({ ssl: checkers.count("ssl", hostname), whois: checkers.count("whois", hostname) });
  const status = () => schedulerStatus(t.server.infra.knex, t.server.infra.queue, SETTINGS, clock.now());

  // The steps build on each other: domains added early are re-checked after the failover.
  const hostnames: string[] = [];
  let release: () => void = () => undefined;

  it("runs in one of two servers, which `scheduler status` shows leading and checking", async () => {
    const gate = new Promise<void>((resolve) => (release = resolve));
    checkers.hold = () => gate;
    const slow = await addHost(t.server);
    hostnames.push(slow);
    await eventually("a check runs", async () => (await status()).running.length === 2, { intervalMs: 50 });
    const shown = await status();
    expect(shown.running.map((r) => `${r.kind} ${r.hostname} ${r.trigger}`).sort()).to.deep.equal([`ssl ${slow} scheduled`, `whois ${slow} scheduled`]);
    expect(shown.queue).to.include({ depth: 0, running: 2, retrying: 0, failed: 0 });
    expect([t.server.services.owner, peer.services.owner]).to.include(shown.leader?.owner);
    checkers.hold = undefined;
    release();
  });

  it("checks each new domain once, and shows which domains' last check failed", async () => {
    const broken = `broken-${randomUUID().slice(0, 8)}.example.com`;
    checkers.failing.add(broken);
    hostnames.push(await addHost(peer, broken), await addHost(peer));
    // Nothing is due once the read model shows every check.
    const idle = async () => {
      const { due, queue } = await status();
      return due.ssl + due.whois + queue.depth + queue.running === 0;
    };
    await eventually("the new domains are checked", idle, { intervalMs: 50 });
    const shown = await status();
    expect(shown.failing.count).to.deep.equal({ ssl: 1, whois: 1 });
    expect(shown.failing.domains.map((d) => ({ hostname: d.hostname, kinds: d.kinds }))).to.deep.equal([
      { hostname: broken, kinds: ["ssl", "whois"] },
    ]);
    for (const h of hostnames) expect(checked(h), h).to.deep.equal({ ssl: 1, whois: 1 });
    // Both servers run workers; between them they completed every check (6 so far).
    const workers = shown.throughput.map((w) => w.worker);
    expect(workers.every((w) => [t.server.services.owner, peer.services.owner].includes(w))).to.equal(true);
    expect(shown.throughput.reduce((n, w) => n + w.completed, 0)).to.equal(6);
  });

  it("fails over to the other server within a few ticks when the leader closes; the CLI shows the new leader", async () => {
    const leaderOwner = (await status()).leader?.owner;
    const leader = leaderOwner === peer.services.owner ? peer : t.server;
    const survivor = leader === peer ? t.server : peer;
    await leader.close();
    clock.advance(1.1 * SETTINGS.sslIntervalMs);
    const late = await addHost(survivor);
    await eventually("the survivor checks", () => hostnames.every((h) => checked(h).ssl === 2) && checked(late).whois === 1, { timeoutMs: 8000, intervalMs: 50 });
    for (const h of [...hostnames, late]) expect(checked(h).whois, h).to.equal(1);

    const shown = JSON.parse(await statusCli(t.db.url, ["--json"])) as {
      leader: { owner: string } | null;
      due: unknown;
      sweep: unknown;
      failing: { domains: { hostname: string }[] };
    };
    expect(shown.leader?.owner).to.equal(survivor.services.owner);
    expect(shown.due).to.deep.equal({ ssl: 0, whois: 0, oldest_due_at: null });
    // The CLI's own configuration (defaults: DATABASE_URL alone is set).
    expect(shown.sweep).to.deep.equal({ max_jobs: 5000, tick_seconds: 30 });
    expect(shown.failing.domains.map((d) => d.hostname)).to.deep.equal(hostnames.filter((h) => h.startsWith("broken-")));
  });
});

describe("`scheduler status` with checks failing, retrying and waiting (integration)", () => {
  // The real clock, as the CLI's: the due backlog is reckoned from now.
  const checkers = new FakeCheckers(systemClock);
  let t: TestServer;
  let userId: string;

  before(async () => {
    t = await startTestServer({ checkers, env: { ...WITHOUT_CHECKS, SSLTRACKR_QUEUE_POLL_MS: "100" } });
    ({ userId } = await t.createUser());
  });
  after(async () => {
    checkers.hold = undefined;
    await t?.close();
  });

  it("shows retrying and failed jobs, the oldest waiting job and the most overdue domain, as text and --json", async () => {
    const queue = t.server.infra.queue;
    const stats = () => queue.stats(CHECK_QUEUE, { windowMinutes: 15, byField: "worker", listed: 0 });
    const settings = checkQueueSettings(testConfig(t.db.url).SSLTRACKR_CHECK_LEASE_SECONDS);
    /** A new domain's checks, queued as the sweep queues them, with these retry settings. */
    const queued = async (retries: Partial<QueueSettings>) => {
      await queue.ensureQueue(CHECK_QUEUE, { ...settings, ...retries });
      const { id } = await addDomain(t.server, userId);
      await queue.insert(CHECK_QUEUE, scheduledJobs([{ domainId: id, kinds: ["ssl", "whois"], checkedAt: { ssl: null, whois: null } }]));
      return id;
    };
    // A checker that throws (not a failed check: a crash) fails its job, which is retried.
    checkers.hold = () => Promise.reject(new Error("checker crashed"));
    const failed = await queued({ retryLimit: 0 });
    await eventually("both jobs fail for good", async () => (await stats()).failed === 2, { intervalMs: 50 });
    const retryQueuedFrom = new Date();
    await queued({ retryLimit: 1, retryDelaySeconds: 3600 });
    const retryQueuedUntil = new Date();
    await eventually("both jobs wait for a retry", async () => (await stats()).retrying === 2, { intervalMs: 50 });
    // Busy workers: a job queued now waits.
    await t.server.services.checkWorkers.stop();
    await queue.ensureQueue(CHECK_QUEUE, settings);
    await queued({});

    const json = JSON.parse(await statusCli(t.db.url, ["--json"])) as {
      due: { ssl: number; whois: number; oldest_due_at: string | null };
      queue: { depth: number; running: number; retrying: number; failed: number; oldest_waiting_since: string | null };
    };
    const { oldest_waiting_since: oldestWaiting, ...counts } = json.queue;
    // Waiting: 2 for a retry, 2 not yet run; the failed domain has nothing queued, so it is due.
    expect(counts).to.deep.equal({ depth: 4, running: 0, retrying: 2, failed: 2 });
    expect(oldestWaiting && new Date(oldestWaiting), "the retried jobs' queueing").to.be.within(retryQueuedFrom, retryQueuedUntil);
    const created = (await t.server.infra.knex("domains").where({ id: failed }).first<{ created_at: Date }>("created_at")).created_at.toISOString();
    expect(json.due).to.deep.equal({ ssl: 1, whois: 1, oldest_due_at: created });

    const text = (await statusCli(t.db.url)).split("\n");
    expect(text).to.include.members([
      `due      ssl 1, whois 1 not yet queued (most overdue since ${created})`,
      `queue    4 waiting (oldest since ${oldestWaiting}), 2 retrying, 2 failed in 15 min`,
      "running  0",
    ]);
  });
});
