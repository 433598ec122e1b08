// Two app processes on one database (two servers, each with check workers), each with a
// scheduler whose ticks the tests drive by hand and whose clock they move. The schedulers
// queue due checks; the workers of both servers run them.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { RunningServer } from "../../../src/app/server.js";
import { createLogger } from "../../../src/infrastructure/logging/logger.js";
import { CHECK_PRIORITY, CHECK_QUEUE, checkJobKey } from "../../../src/monitoring/checkJobs.js";
import { CheckScheduler, type SchedulerSettings } from "../../../src/monitoring/scheduler/checkScheduler.js";
import { currentLeader } from "../../../src/monitoring/scheduler/schedulerLeader.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { WITHOUT_CHECKS } from "../../support/apiHelpers.js";
import { FakeCheckers } from "../../support/checkFixtures.js";
import { eventually } from "../../support/eventually.js";
import { startPeerServer, startTestServer, type TestServer } from "../../support/testServer.js";

const HOUR = 3_600_000;
const SETTINGS: SchedulerSettings = {
  tickSeconds: 1,
  sslIntervalMs: 12 * HOUR,
  whoisIntervalMs: 24 * HOUR,
  sweepMaxJobs: 5000,
};
/** Each server runs at most this many checks at once. */
const CONCURRENCY = 3;
const ENV = { ...WITHOUT_CHECKS, SSLTRACKR_CHECK_CONCURRENCY: String(CONCURRENCY), SSLTRACKR_QUEUE_POLL_MS: "100" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Check scheduler (integration)", () => {
  const clock = new ManualClock(new Date("2030-01-01T00:00:00Z"));
  const checkers = new FakeCheckers(clock);
  let t: TestServer;
  let peer: RunningServer;
  let userId: string;
  let schedulers: CheckScheduler[] = [];
  let added: string[] = [];

  before(async () => {
    t = await startTestServer({ clock, checkers, env: ENV });
    peer = await startPeerServer(t.db.url, { clock, checkers, env: ENV });
    ({ userId } = await t.createUser());
  });
  afterEach(async () => {
    checkers.hold = undefined;
    await Promise.all(schedulers.map((s) => s.stop()));
    schedulers = [];
    // Every test starts from an empty schedule.
    for (const id of added) {
      const position = await t.server.services.domains.remove(ctx(), id).catch(() => null);
      if (position) await t.server.services.projections.waitFor(position);
    }
    added = [];
  });
  after(async () => {
    await peer?.close();
    await t?.close();
  });

  const schedulerOn = (server: RunningServer, settings: Partial<SchedulerSettings> = {}) => {
    const s = new CheckScheduler(
      {
        knex: server.infra.knex,
        leaderSession: server.infra.leaderSession,
        queue: server.infra.queue,
        owner: server.services.owner,
        clock,
        logger: createLogger((process.env["TEST_LOG"] as "error" | undefined) ?? "silent"),
      },
      { ...SETTINGS, ...settings },
    );
    schedulers.push(s);
    return s;
  };

  const ctx = () => ({ correlationId: randomUUID(), userId });
  async function addDomains(n: number): Promise<{ id: string; hostname: string }[]> {
    const domains = [];
    for (let i = 0; i < n; i++) {
      const hostname = `d${i}-${randomUUID().slice(0, 8)}.example.com`;
      const { domainId, position } = await t.server.services.domains.add(ctx(), { hostname, port: 443, notes: null, tags: [] });
      if (position) await t.server.services.projections.waitFor(position);
      added.push(domainId);
      domains.push({ id: domainId, hostname });
    }
    return domains;
  }

  const queueStats = () => t.server.infra.queue.stats(CHECK_QUEUE, { windowMinutes: 1, byField: "worker", listed: 0 });
  /** Nothing waiting or running on the queue. */
  const settled = () =>
    eventually("checks settle", async () => {
      const q = await queueStats();
      return q.waiting + q.running === 0;
    });
  const counts = (domains: { hostname: string }[]) =>
    domains.map((d) => ({ ssl: checkers.count("ssl", d.hostname), whois: checkers.count("whois", d.hostname) }));
  const each = (domains: unknown[], ssl: number, whois: number) => domains.map(() => ({ ssl, whois }));

  it("lets one of two processes lead, and checks every due domain exactly once per window", async () => {
    const domains = await addDomains(6);
    const a = schedulerOn(t.server);
    const b = schedulerOn(peer);
    for (let i = 0; i < 3; i++) await Promise.all([a.tick(), b.tick()]);
    await settled();
    expect([a.leader.isLeader, b.leader.isLeader].filter(Boolean)).to.have.length(1);
    expect(counts(domains)).to.deep.equal(each(domains, 1, 1));

    clock.advance(0.5 * SETTINGS.sslIntervalMs);
    for (let i = 0; i < 3; i++) await Promise.all([a.tick(), b.tick()]);
    await settled();
    expect(counts(domains), "half an interval later").to.deep.equal(each(domains, 1, 1));

    clock.advance(0.6 * SETTINGS.sslIntervalMs);
    for (let i = 0; i < 3; i++) await Promise.all([a.tick(), b.tick()]);
    await settled();
    expect(counts(domains), "110% of the SSL interval later").to.deep.equal(each(domains, 2, 1));
  });

  it("never queues a check that is waiting or running, however often it ticks", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    checkers.hold = () => gate;
    const domains = await addDomains(3);
    const a = schedulerOn(t.server);
    const b = schedulerOn(peer);
    for (let i = 0; i < 5; i++) await Promise.all([a.tick(), b.tick()]);
    await eventually("every check is running", async () => (await queueStats()).running === 6);
    for (let i = 0; i < 5; i++) await Promise.all([a.tick(), b.tick()]);
    const q = await queueStats();
    expect({ waiting: q.waiting, running: q.running }).to.deep.equal({ waiting: 0, running: 6 });
    release();
    await settled();
    expect(counts(domains)).to.deep.equal(each(domains, 1, 1));
  });

  it("hands the lead over when the leader stops", async () => {
    const a = schedulerOn(t.server);
    const b = schedulerOn(peer);
    await a.tick();
    await b.tick();
    expect(a.leader.isLeader).to.equal(true);
    expect(b.leader.isLeader).to.equal(false);
    expect((await currentLeader(t.server.infra.knex))?.owner).to.equal(t.server.services.owner);

    await a.stop();
    const domains = await addDomains(2);
    await b.tick();
    await settled();
    expect(b.leader.isLeader).to.equal(true);
    expect((await currentLeader(t.server.infra.knex))?.owner).to.equal(peer.services.owner);
    expect(counts(domains)).to.deep.equal(each(domains, 1, 1));
  });

  it("takes over from a leader whose database connection died, within a few ticks", async () => {
    const a = schedulerOn(t.server);
    const b = schedulerOn(peer);
    await a.tick();
    expect(a.leader.isLeader).to.equal(true);
    // A crash as the database sees it: the session holding the scheduler's lock ends.
    await t.server.infra.knex.raw(
      `select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())
          and objid::bigint = (hashtext('ssltrackr:scheduler')::bigint & 4294967295)`,
    );
    const domains = await addDomains(2);
    await eventually("the other process leads", async () => (await b.tick(), b.leader.isLeader), { timeoutMs: 5000 });
    await settled();
    expect(a.leader.isLeader).to.equal(false);
    expect(counts(domains)).to.deep.equal(each(domains, 1, 1));
  });

  it("skips inactive and removed domains", async () => {
    const [kept, paused, removed] = await addDomains(3);
    const { position: paused2 } = await t.server.services.domains.update(ctx(), paused!.id, { isActive: false });
    const removed2 = await t.server.services.domains.remove(ctx(), removed!.id);
    for (const p of [paused2, removed2]) if (p) await t.server.services.projections.waitFor(p);
    const a = schedulerOn(t.server);
    await a.tick();
    await settled();
    expect(counts([kept!, paused!, removed!])).to.deep.equal([{ ssl: 1, whois: 1 }, { ssl: 0, whois: 0 }, { ssl: 0, whois: 0 }]);
  });

  it("runs at most SSLTRACKR_CHECK_CONCURRENCY checks at once per process, and drains the rest without waiting for a tick", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let released = false;
    let inside = 0;
    let most = 0;
    checkers.hold = async () => {
      most = Math.max(most, ++inside);
      await (released ? sleep(5) : gate);
      inside--;
    };
    const domains = await addDomains(8);
    const a = schedulerOn(t.server);
    await a.tick();
    await eventually("both processes' workers are full", () => inside === 2 * CONCURRENCY);
    await sleep(100);
    expect(inside).to.equal(2 * CONCURRENCY);
    released = true;
    release();
    await eventually("all are checked", () => counts(domains).every((c) => c.ssl === 1 && c.whois === 1));
    await settled();
    expect(most).to.equal(2 * CONCURRENCY);
    expect(counts(domains)).to.deep.equal(each(domains, 1, 1));
  });

  it("keeps what a leader queued when it stops: the next leader neither queues it again nor drops it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    checkers.hold = () => gate;
    const domains = await addDomains(5);
    const a = schedulerOn(t.server);
    const b = schedulerOn(peer);
    await a.tick();
    expect(a.leader.isLeader).to.equal(true);
    const queued = await queueStats();
    expect(queued.waiting + queued.running).to.equal(10);
    await a.stop();
    for (let i = 0; i < 3; i++) await b.tick();
    expect(b.leader.isLeader).to.equal(true);
    const after = await queueStats();
    expect(after.waiting + after.running).to.equal(10);
    release();
    await settled();
    expect(counts(domains)).to.deep.equal(each(domains, 1, 1));
  });

  it("completes a scheduled job without checking when the domain was checked after the sweep saw it due", async () => {
    const [domain] = await addDomains(1);
    const requests = t.server.services.checkRequests;
    await requests.awaitAll(await requests.request(domain!.id, ["ssl"], "manual"), 10_000);
    // As a sweep that read the domain just before that check would have queued it.
    const jobId = await t.server.infra.queue.send(CHECK_QUEUE, {
      key: checkJobKey(domain!.id, "ssl"),
      priority: CHECK_PRIORITY.scheduled,
      data: { domainId: domain!.id, kind: "ssl", trigger: "scheduled", seenCheckedAt: null },
    });
    const outputs = await requests.awaitAll([jobId!], 10_000);
    expect(outputs.get(jobId!)?.outcome).to.equal("moot");
    expect(counts([domain!])).to.deep.equal([{ ssl: 1, whois: 0 }]);
  });
});
