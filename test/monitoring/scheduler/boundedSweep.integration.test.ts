// The bounded sweep (back-pressure): each sweep tops the check queue up to `sweepMaxJobs`
// waiting jobs, most overdue first, and the rest stay due for later sweeps. One leader, a real
// queue on a real database; the tests play the workers by taking jobs off the queue.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Knex } from "knex";
import { createLogger } from "../../../src/infrastructure/logging/logger.js";
import { LeaderSession } from "../../../src/infrastructure/postgres/leaderLock.js";
import { createKnex, migrateReadModels } from "../../../src/infrastructure/postgres/knex.js";
import { JobQueue } from "../../../src/infrastructure/queue/jobQueue.js";
import { CHECK_QUEUE, checkJobKey, ensureCheckQueue } from "../../../src/monitoring/checkJobs.js";
import { CheckScheduler } from "../../../src/monitoring/scheduler/checkScheduler.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

const HOUR = 3_600_000;
const SSL = 12 * HOUR;
const WHOIS = 24 * HOUR;
const CAP = 50;
const T = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(T.getTime() + ms);
/**
 * When the i-th domain's SSL check was made: overdue now by 6 h or more, the more the larger i. 6 h apart, more
 * than twice the ±10% jitter's 2.4 h spread, so the order of due instants is the order of i
 * even for a domain checked halfway between two of them.
 */
const overdue = (i: number) => at(-1.1 * SSL - (i + 1) * 6 * HOUR);

describe("Bounded due-work sweep (integration)", () => {
  const clock = new ManualClock(T);
  let db: TestDatabase;
  let knex: Knex;
  let queue: JobQueue;
  let session: LeaderSession;
  let scheduler: CheckScheduler;

  before(async () => {
    db = await createTestDatabase();
    knex = createKnex(db.url);
    await migrateReadModels(knex);
    queue = await JobQueue.open({ databaseUrl: db.url, poolMax: 2, onError: () => undefined, maintenanceSeconds: null });
    await ensureCheckQueue(queue, 60);
    session = new LeaderSession(db.url);
    scheduler = new CheckScheduler(
      { knex, leaderSession: session, queue, owner: "test", clock, logger: createLogger("silent") },
      { tickSeconds: 1, sslIntervalMs: SSL, whoisIntervalMs: WHOIS, sweepMaxJobs: CAP },
    );
    expect(await scheduler.leader.tryLead()).to.equal(true);
  });
  beforeEach(async () => {
    await knex("domains").delete();
    await knex.raw("delete from pgboss.job");
  });
  after(async () => {
    await scheduler?.stop();
    await queue?.close();
    await session?.close();
    await knex?.destroy();
    await db?.drop();
  });

  /** A read-model row: SSL checked at `ssl` (null: never), WHOIS at `whois`, added at `added`. */
  async function domain(ssl: Date | null, whois: Date | null = T, added = at(-30 * 24 * HOUR)): Promise<string> {
    const id = randomUUID();
    await knex("domains").insert({
      id,
      user_id: randomUUID(),
      hostname: `${id}.example.com`,
      port: 443,
      is_active: true,
      tags: "[]",
      created_at: added,
      updated_at: added,
      stream_revision: 0,
      ssl_checked_at: ssl,
      whois_checked_at: whois,
    });
    return id;
  }
  /** `n` domains with only SSL due; index i is the i-th least overdue. */
  async function dueDomains(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await domain(overdue(i)));
    return ids;
  }
  const ssl = (ids: string[]) => ids.map((id) => checkJobKey(id, "ssl"));
  /** The most overdue first: the i-th domains from `from` down to `to`. */
  const byOverdue = (ids: string[], from: number, to: number) => ids.slice(to, from + 1).reverse();

  /** Every key ever queued, with how many jobs it got (nothing completes here, so none is queued again). */
  async function jobsPerKey(): Promise<Map<string, number>> {
    const { rows } = await knex.raw<{ rows: { key: string; n: number }[] }>(
      "select singleton_key as key, count(*)::int as n from pgboss.job where name = ? group by 1",
      [CHECK_QUEUE],
    );
    return new Map(rows.map((r) => [r.key, r.n]));
  }
  /** Sweeps once; the keys that sweep queued. */
  async function sweep(): Promise<string[]> {
    const before = await jobsPerKey();
    const offered = await scheduler.sweep();
    const queued = [...(await jobsPerKey()).keys()].filter((k) => !before.has(k));
    expect(queued, "jobs offered are jobs queued").to.have.length(offered);
    return queued;
  }
  /** The workers take up to `n` waiting jobs (running, their keys stay pending). */
  const take = async (n = 1000) => void (await queue.fetch(CHECK_QUEUE, n));
  const waiting = () => queue.waitingCount(CHECK_QUEUE);

  it("queues 120 due checks in three sweeps of at most 50, most overdue first, each once", async () => {
    const ids = await dueDomains(120);
    const sweeps: string[][] = [];
    for (let i = 0; i < 3; i++) {
      sweeps.push(await sweep());
      await take();
    }
    expect(sweeps[0]).to.have.members(ssl(byOverdue(ids, 119, 70)));
    expect(sweeps[1]).to.have.members(ssl(byOverdue(ids, 69, 20)));
    expect(sweeps[2]).to.have.members(ssl(byOverdue(ids, 19, 0)));
    expect(await sweep(), "nothing left due").to.deep.equal([]);
    const perKey = await jobsPerKey();
    expect([...perKey.keys()]).to.have.members(ssl(ids));
    expect([...perKey.values()].every((n) => n === 1)).to.equal(true);
  });

  it("counts jobs already waiting against the bound, and orders checks due meanwhile by their due instant", async () => {
    const ids = await dueDomains(120);
    expect(await sweep()).to.have.members(ssl(byOverdue(ids, 119, 70)));
    expect(await sweep(), "the queue is full: nothing is added").to.deep.equal([]);

    // The workers take 30 jobs: 20 still wait, so the next sweep adds 30.
    await take(30);
    expect(await sweep()).to.have.members(ssl(byOverdue(ids, 69, 40)));
    expect(await waiting()).to.equal(CAP);

    // Due meanwhile: a domain whose SSL check fell due between the 10th's and the 11th's, and
    // one added (never checked) at T, due since then for both kinds: after every other.
    const between = await domain(new Date(overdue(10).getTime() - 3 * HOUR));
    const added = await domain(null, null, T);
    await take(30);
    expect(await sweep()).to.have.members([...ssl(byOverdue(ids, 39, 11)), checkJobKey(between, "ssl")]);
    await take();
    expect(await sweep()).to.have.members([...ssl(byOverdue(ids, 10, 0)), checkJobKey(added, "ssl"), checkJobKey(added, "whois")]);
    await take();
    expect(await sweep()).to.deep.equal([]);
    const perKey = await jobsPerKey();
    expect(perKey.size).to.equal(123);
    expect([...perKey.values()].every((n) => n === 1)).to.equal(true);
  });

  it("leaves a domain's second kind for the next sweep when the bound falls between its two checks", async () => {
    const ids = await dueDomains(49);
    // Never checked, added an hour ago: the least overdue, due for both kinds (51 jobs in all).
    const both = await domain(null, null, at(-HOUR));
    expect(await sweep()).to.have.members([...ssl(byOverdue(ids, 48, 0)), checkJobKey(both, "ssl")]);
    await take();
    expect(await sweep()).to.deep.equal([checkJobKey(both, "whois")]);
  });
});
