// The scheduler as servers run it: started with the server, ticking through node-schedule,
// stopped on close, and reported by `ssltrackr scheduler status`.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { expect } from "chai";
import type { RunningServer } from "../../../src/app/server.js";
import { schedulerStatus } from "../../../src/monitoring/scheduler/schedulerStatus.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { FakeCheckers } from "../../support/checkFixtures.js";
import { startPeerServer, startTestServer, type TestServer } from "../../support/testServer.js";

const SCHEDULED = {
  SSLTRACKR_SCHEDULER: "true",
  SSLTRACKR_SCHEDULER_TICK_SECONDS: "1",
  SSLTRACKR_CHECK_ON_CREATE: "false",
};
const HOUR = 3_600_000;
const INTERVALS = { sslIntervalMs: 12 * HOUR, whoisIntervalMs: 24 * HOUR };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
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

  async function addDomain(server: RunningServer, hostname = `${randomUUID().slice(0, 8)}.example.com`): Promise<string> {
    const { position } = await server.services.domains.add({ correlationId: randomUUID(), userId }, { hostname, port: 443, notes: null, tags: [] });
    if (position) await server.services.projections.waitFor(position);
    return hostname;
  }
  const checked = (hostname: string) => ({ ssl: checkers.count("ssl", hostname), whois: checkers.count("whois", hostname) });
  const status = () => schedulerStatus(t.server.infra.knex, t.server.infra.queue, INTERVALS, clock.now());

  // The steps build on each other: domains added early are re-checked after the failover.
  const hostnames: string[] = [];
  let release: () => void = () => undefined;

  it("runs in one of two servers, which `scheduler status` shows leading and checking", async () => {
    const gate = new Promise<void>((resolve) => (release = resolve));
    checkers.hold = () => gate;
    const slow = await addDomain(t.server);
    hostnames.push(slow);
    await eventually("a check runs", async () => (await status()).running.length === 2);
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
    hostnames.push(await addDomain(peer, broken), await addDomain(peer));
    // Nothing is due once the read model shows every check.
    const idle = async () => {
      const { due, queue } = await status();
      return due.ssl + due.whois + queue.depth + queue.running === 0;
    };
    await eventually("the new domains are checked", idle);
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
    clock.advance(1.1 * INTERVALS.sslIntervalMs);
    const late = await addDomain(survivor);
    await eventually("the survivor checks", () => hostnames.every((h) => checked(h).ssl === 2) && checked(late).whois === 1, 8000);
    for (const h of [...hostnames, late]) expect(checked(h).whois, h).to.equal(1);

    const { stdout } = await promisify(execFile)(process.execPath, ["bin/ssltrackr.js", "scheduler", "status", "--json"], {
      env: { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: "silent" },
    });
    const shown = JSON.parse(stdout) as { leader: { owner: string } | null; failing: { domains: { hostname: string }[] } };
    expect(shown.leader?.owner).to.equal(survivor.services.owner);
    expect(shown.failing.domains.map((d) => d.hostname)).to.deep.equal(hostnames.filter((h) => h.startsWith("broken-")));
  });
});
