import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Knex } from "knex";
import { createKnex, migrateReadModels } from "../../../src/infrastructure/postgres/knex.js";
import { JobQueue } from "../../../src/infrastructure/queue/jobQueue.js";
import { CHECK_PRIORITY, CHECK_QUEUE, checkJobKey, ensureCheckQueue, type CheckKind } from "../../../src/monitoring/checkJobs.js";
import { DueChecks } from "../../../src/monitoring/scheduler/dueChecks.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

const HOUR = 3_600_000;
const SSL = 12 * HOUR;
const WHOIS = 24 * HOUR;
const T = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(T.getTime() + ms);
/** When a domain was added, unless a test says otherwise: a never-checked kind is due since then. */
const ADDED = at(-HOUR);

describe("Due checks from the domains read model (integration)", () => {
  let db: TestDatabase;
  let knex: Knex;
  let due: DueChecks;
  let queue: JobQueue;

  before(async () => {
    db = await createTestDatabase();
    knex = createKnex(db.url);
    await migrateReadModels(knex);
    queue = await JobQueue.open({ databaseUrl: db.url, poolMax: 2, onError: () => undefined, maintenanceSeconds: null });
    await ensureCheckQueue(queue, 60);
    due = new DueChecks(knex, { sslIntervalMs: SSL, whoisIntervalMs: WHOIS });
  });
  beforeEach(async () => {
    await knex("domains").delete();
    await knex.raw("delete from pgboss.job");
  });
  after(async () => {
    await queue?.close();
    await knex?.destroy();
    await db?.drop();
  });

  /** A read-model row as the domains projection would leave it. */
  async function domain(
    row: { id?: string; ssl?: Date; whois?: Date; active?: boolean; deleted?: boolean; added?: Date } = {},
  ): Promise<string> {
    const id = row.id ?? randomUUID();
    await knex("domains").insert({
      id,
      user_id: randomUUID(),
      hostname: `${id}.example.com`,
      port: 443,
      is_active: row.active ?? true,
      tags: "[]",
      created_at: row.added ?? ADDED,
      updated_at: row.added ?? ADDED,
      deleted_at: row.deleted ? T : null,
      stream_revision: 0,
      ssl_checked_at: row.ssl ?? null,
      whois_checked_at: row.whois ?? null,
    });
    return id;
  }

  const queued = (domainId: string, kind: CheckKind) =>
    queue.send(CHECK_QUEUE, { key: checkJobKey(domainId, kind), priority: CHECK_PRIORITY.scheduled, data: { domainId, kind, trigger: "scheduled" } });
  const kindsOf = (found: { domainId: string; kinds: CheckKind[] }[]) => found.map(({ domainId, kinds }) => ({ domainId, kinds }));

  it("makes a never-checked domain due at once, for both kinds", async () => {
    const id = await domain();
    expect(await due.next(T, 10)).to.deep.equal([{ domainId: id, kinds: ["ssl", "whois"], checkedAt: { ssl: null, whois: null } }]);
  });

  it("makes a kind due only once its jittered interval (90%..110%) has passed", async () => {
    const id = await domain({ ssl: T, whois: T });
    expect(await due.next(at(0.9 * SSL - 1000), 10)).to.deep.equal([]);
    expect(await due.next(at(1.1 * SSL), 10)).to.deep.equal([{ domainId: id, kinds: ["ssl"], checkedAt: { ssl: T } }]);
    expect(kindsOf(await due.next(at(1.1 * WHOIS), 10))).to.deep.equal([{ domainId: id, kinds: ["ssl", "whois"] }]);
  });

  it("skips inactive and deleted domains", async () => {
    await domain({ active: false });
    await domain({ deleted: true });
    await domain({ active: false, deleted: true });
    expect(await due.next(T, 10)).to.deep.equal([]);
    expect(await due.backlog(T)).to.deep.equal({ ssl: 0, whois: 0, oldestDueAt: null });
  });

  it("leaves out a kind with a job waiting or running on the queue, and takes it back once the job is done", async () => {
    const waiting = await domain();
    const running = await domain();
    await queued(waiting, "ssl");
    const jobId = await queued(running, "whois");
    expect(await queue.fetch(CHECK_QUEUE, 10)).to.have.length(2);
    const waitingAgain = await queued(waiting, "whois");
    expect(kindsOf(await due.next(T, 10))).to.have.deep.members([{ domainId: running, kinds: ["ssl"] }]);
    expect(await due.backlog(T)).to.deep.equal({ ssl: 1, whois: 0, oldestDueAt: ADDED });
    await queue.complete(CHECK_QUEUE, jobId!, {});
    expect(waitingAgain).to.be.a("string");
    expect(kindsOf(await due.next(T, 10))).to.have.deep.members([{ domainId: running, kinds: ["ssl", "whois"] }]);
  });

  it("lists the most overdue first, up to the limit; a never-checked domain is due since it was added", async () => {
    const never = await domain();
    const longAgo = await domain({ ssl: at(-10 * SSL), whois: at(-10 * WHOIS) });
    const lately = await domain({ ssl: at(-2 * SSL), whois: at(-2 * WHOIS) });
    const neverOlder = await domain({ added: at(-30 * SSL) });
    expect((await due.next(T, 10)).map((d) => d.domainId)).to.deep.equal([neverOlder, longAgo, lately, never]);
    expect((await due.next(T, 2)).map((d) => d.domainId)).to.deep.equal([neverOlder, longAgo]);
    expect(await due.backlog(T)).to.deep.equal({ ssl: 4, whois: 4, oldestDueAt: at(-30 * SSL) });
  });

  it("pages through every due domain once, most overdue first, from one read (the sweep's order)", async () => {
    const ids = [await domain({ added: at(-20 * SSL) }), await domain({ ssl: at(-10 * SSL), whois: at(-10 * WHOIS) })];
    for (let i = 0; i < 4; i++) ids.push(await domain({ ssl: at(-2 * SSL - i * HOUR), whois: T }));
    await domain({ ssl: T, whois: T });
    const expected = (await due.next(T, 10)).map((d) => d.domainId);
    const pages: string[][] = [];
    for await (const page of due.pages(T, 2, 10)) {
      pages.push(page.map((d) => d.domainId));
      // Queued meanwhile, as the sweep does: the cursor's snapshot neither repeats nor skips.
      for (const d of page) for (const kind of d.kinds) await queued(d.domainId, kind);
    }
    expect(pages.map((p) => p.length)).to.deep.equal([2, 2, 2]);
    expect(pages.flat()).to.deep.equal(expected);
    expect(new Set(pages.flat())).to.deep.equal(new Set(ids));
    expect(pages[0]).to.deep.equal([ids[0], ids[1]]);
    expect(await due.next(T, 10)).to.deep.equal([]);
  });

  it("pages only through the `limit` most overdue domains (the bounded sweep's read)", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await domain({ ssl: at(-2 * SSL - i * 6 * HOUR), whois: T }));
    const pages: string[][] = [];
    for await (const page of due.pages(T, 2, 3)) pages.push(page.map((d) => d.domainId));
    expect(pages).to.deep.equal([[ids[4], ids[3]], [ids[2]]]);
    const all: string[][] = [];
    for await (const page of due.pages(T, 2, 5)) all.push(page.map((d) => d.domainId));
    expect(all.flat()).to.deep.equal([...ids].reverse());
  });

  it("ends a page walk cleanly when the caller stops early (the read's transaction closes)", async () => {
    for (let i = 0; i < 3; i++) await domain();
    for await (const page of due.pages(T, 1, 10)) {
      expect(page).to.have.length(1);
      break;
    }
    const { rows } = await knex.raw<{ rows: { n: number }[] }>(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'",
    );
    expect(rows[0]!.n).to.equal(0);
    expect(await due.next(T, 10)).to.have.length(3);
  });

  it("spreads domains checked together over ±10% of the interval, the same way after a restart", async () => {
    const n = 200;
    // Fixed ids: the spread is a function of the id, and the test should not be a lottery.
    for (let i = 0; i < n; i++) await domain({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, ssl: T, whois: T });
    const dueAt = async (fraction: number, scheduler = due) => (await scheduler.backlog(at(fraction * SSL))).ssl;
    expect(await dueAt(0.9)).to.equal(0);
    // Uniform over [0.9, 1.1): about a quarter per 0.05, give or take sampling noise.
    const quarters = [await dueAt(0.95), await dueAt(1.0), await dueAt(1.05)];
    quarters.forEach((count, i) => expect(count / n, `due by ${0.95 + 0.05 * i}`).to.be.within(0.25 * (i + 1) - 0.1, 0.25 * (i + 1) + 0.1));
    expect(await dueAt(1.1)).to.equal(n);

    const restarted = new DueChecks(knex, { sslIntervalMs: SSL, whoisIntervalMs: WHOIS });
    const ids = async (d: DueChecks) => (await d.next(at(SSL), n)).map((c) => c.domainId).sort();
    expect(await ids(restarted)).to.deep.equal(await ids(due));
  });
});
