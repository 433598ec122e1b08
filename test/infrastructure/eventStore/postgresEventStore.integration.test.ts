import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { expect } from "chai";
import { AppendNotifier, NOTIFY_INTERVAL_MS } from "../../../src/infrastructure/eventStore/postgres/appendNotifier.js";
import type { RecordedEvent } from "../../../src/infrastructure/eventStore/eventStore.js";
import { PostgresEventStore } from "../../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { ListenSession } from "../../../src/infrastructure/postgres/listenSession.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { eventually } from "../../support/eventually.js";
import { describeEventStoreContract, readAllEventually } from "./eventStore.contract.js";

describeEventStoreContract("PostgreSQL", async () => {
  const db = await createTestDatabase();
  const store = await PostgresEventStore.connect(db.pool, db.url, { pollIntervalMs: 50 });
  return {
    store,
    narrowsReads: true,
    async teardown() {
      await store.close();
      await db.drop();
    },
  };
});

describe("PostgreSQL event store: gap-free global log under concurrent writers", function () {
  let db: TestDatabase;
  let store: PostgresEventStore;
  before(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.connect(db.pool, db.url);
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it("never lets a reader pass an append whose transaction commits late", async () => {
    const slow = await db.pool.connect();
    try {
      await store.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: "Before", data: {} }]);
      const start = await store.headPosition();
      // A writer that has appended but not yet committed...
      await slow.query("begin");
      await slow.query(
        `select * from eventstore.append_events($1, 'any', null, $2, $3, $4::jsonb[], $5::jsonb[])`,
        [`s-${randomUUID()}`, [randomUUID()], ["Late"], ["{}"], ["{}"]],
      );
      // ...while a later transaction commits.
      await store.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: "Early", data: {} }]);
      const whileOpen = await store.readAll({ after: start!, maxCount: 10 });
      expect(whileOpen.map((e) => e.type)).to.deep.equal([]);
      await slow.query("commit");
      const afterCommit = await readAllEventually(store, start!, 2);
      expect(afterCommit.map((e) => e.type)).to.deep.equal(["Late", "Early"]);
    } finally {
      slow.release();
    }
  });

  it("is not held back by a writing transaction of another database on the server", async () => {
    const other = await createTestDatabase();
    const foreign = await other.pool.connect();
    try {
      await foreign.query("create table t (x int)");
      await foreign.query("begin");
      await foreign.query("insert into t values (1)");
      const { rows } = await foreign.query<{ xid: string }>("select pg_current_xact_id()::text as xid");
      // The server-wide horizon (the snapshot's xmin) is at or below the open transaction.
      const { rows: xmin } = await db.pool.query<{ held: boolean }>(
        "select pg_snapshot_xmin(pg_current_snapshot()) <= $1::text::xid8 as held",
        [rows[0]!.xid],
      );
      expect(xmin[0]!.held).to.equal(true);
      const start = await store.headPosition();
      await store.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: "Ours", data: {} }]);
      const whileOpen = await readAllEventually(store, start ?? undefined, 1);
      expect(whileOpen.map((e) => e.type)).to.deep.equal(["Ours"]);
      await foreign.query("commit");
    } finally {
      foreign.release();
      await other.drop();
    }
  });

  it("is held back by a transaction of this database on another connection pool, events or not", async () => {
    const elsewhere = new pg.Pool({ connectionString: db.url, max: 1 });
    const writer = await elsewhere.connect();
    try {
      await store.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: "Before", data: {} }]);
      const start = await store.headPosition();
      await writer.query("begin");
      await writer.query("select pg_current_xact_id()");
      await store.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: "After", data: {} }]);
      expect(await store.readAll({ after: start!, maxCount: 10 })).to.deep.equal([]);
      await writer.query("commit");
      expect((await readAllEventually(store, start!, 1)).map((e) => e.type)).to.deep.equal(["After"]);
    } finally {
      writer.release();
      await elsewhere.end();
    }
  });

  it("finds out that nothing lies above a running transaction without walking the rest of the log", async () => {
    // A reader at the log's start while a transaction without events runs and later ones have
    // ended (a rebuild's own writers): the horizon asks whether any event lies at or above the
    // running transaction's id. That lookup once began at the reader's position and read the
    // rest of the log's index: 3,941 pages and 12 ms a page read at 1M events.
    await db.pool.query(
      `insert into eventstore.events (stream_name, revision, event_id, event_type, data, metadata)
       select 'filler-' || g, 0, gen_random_uuid(), 'Filler', '{}', '{}' from generate_series(1, 20000) g`,
    );
    await db.pool.query("analyze eventstore.events");
    const elsewhere = new pg.Pool({ connectionString: db.url, max: 2 });
    const [running, reader] = [await elsewhere.connect(), await elsewhere.connect()];
    try {
      await running.query("begin");
      const { rows } = await running.query<{ xid: string }>("select pg_current_xact_id()::text as xid");
      // A later transaction that has ended: now the running one is listed in snapshots.
      await db.pool.query("select pg_current_xact_id()");
      // Ten calls in one session, as a reader makes them (PL/pgSQL keeps a generic plan after
      // five); the pages each read, its own statements' included.
      const pages: number[] = [];
      for (let i = 0; i < 10; i++) {
        const { rows: explained } = await reader.query<{ "QUERY PLAN": [{ Plan: Record<string, number> }] }>(
          `explain (analyze, buffers, format json) select eventstore.read_horizon('0', 0)`,
        );
        const plan = explained[0]!["QUERY PLAN"][0].Plan;
        pages.push(plan["Shared Hit Blocks"]! + plan["Shared Read Blocks"]!);
      }
      const { rows: horizon } = await reader.query<{ h: string }>("select eventstore.read_horizon('0', 0)::text as h");
      expect(horizon[0]!.h, "held back at the running transaction").to.equal(rows[0]!.xid);
      // A descent of the index is a few pages; the walk read all its leaves (about 60).
      expect(Math.max(...pages.slice(5)), `pages read per call: ${pages.join(", ")}`).to.be.below(10);
    } finally {
      await running.query("rollback");
      running.release();
      reader.release();
      await elsewhere.end();
    }
  });

  it("orders the log by transaction id as a number, also where its decimal digits grow", async () => {
    // Transaction ids 9 and 10 cannot be had on demand; rows written with them stand in for
    // events of those (long committed) transactions. As text, "10" sorts before "9".
    const own = await createTestDatabase();
    const ordered = await PostgresEventStore.connect(own.pool, own.url);
    try {
      for (const [xid, type] of [[10, "Second"], [9, "First"]] as const) {
        await own.pool.query(
          `insert into eventstore.events (transaction_id, stream_name, revision, event_id, event_type, data, metadata)
           values ($1::text::xid8, $2, 0, $3, $4, '{}', '{}')`,
          [String(xid), `s-${type}`, randomUUID(), type],
        );
      }
      expect((await ordered.readAll({ maxCount: 10 })).map((e) => e.type)).to.deep.equal(["First", "Second"]);
      expect((await ordered.headPosition())?.commit).to.equal(10n);
    } finally {
      await ordered.close();
      await own.drop();
    }
  });

  it("refuses an append inside a transaction that has written before: its transaction id could put the events out of their stream's order", async () => {
    const client = await db.pool.connect();
    try {
      await client.query("begin");
      await client.query("create temporary table wrote_first (n int)");
      await client.query("insert into wrote_first values (1)");
      const refused = await store.appendWithin(client, [{ streamName: `s-${randomUUID()}`, events: [{ id: randomUUID(), type: "Late", data: {} }] }]).then(
        () => null,
        (err: unknown) => err,
      );
      expect(String(refused)).to.match(/first write of its transaction/);
    } finally {
      await client.query("rollback");
      client.release();
    }
    // The same append as its transaction's first write goes through.
    const client2 = await db.pool.connect();
    try {
      await client2.query("begin");
      const { recorded } = await store.appendWithin(client2, [{ streamName: `s-${randomUUID()}`, events: [{ id: randomUUID(), type: "First", data: {} }] }]);
      await client2.query("commit");
      expect(recorded?.map((e) => e.type)).to.deep.equal(["First"]);
    } finally {
      client2.release();
    }
  });

  it("lets a burst of appends gather into one page when asked to (coalesce), and delivers each append on its own when not", async () => {
    // Pages seen for five appends made 30 ms apart.
    const pagesFor = async (coalesceMs: number | undefined) => {
      const coalesce = coalesceMs === undefined ? {} : { coalesce: (signal: AbortSignal) => sleep(coalesceMs, undefined, { signal }).catch(() => undefined) };
      const controller = new AbortController();
      const s = `s-${randomUUID()}`;
      const start = (await store.headPosition()) ?? undefined;
      let caughtUpsWithin = 0;
      let received = 0;
      try {
        for await (const m of store.subscribeToAll({ after: start, signal: controller.signal, eventTypes: ["Burst"], ...coalesce })) {
          if (m.kind === "caughtUp" && received === 0) {
            void (async () => {
              for (let i = 0; i < 5; i++) {
                await store.appendToStream(s, [{ id: randomUUID(), type: "Burst", data: {} }]);
                await new Promise((resolve) => setTimeout(resolve, 30));
              }
            })();
          } else if (m.kind === "caughtUp" && received < 5) caughtUpsWithin++;
          if (m.kind === "event" && ++received === 5) return caughtUpsWithin + 1;
        }
        return Infinity;
      } finally {
        controller.abort();
      }
    };
    expect(await pagesFor(1000)).to.equal(1);
    expect(await pagesFor(undefined)).to.be.above(1);
  });

  it("delivers events a late commit held back soon after it commits, not a poll interval later", async () => {
    const patient = await PostgresEventStore.connect(db.pool, db.url, { pollIntervalMs: 5000 });
    const slow = await db.pool.connect();
    const controller = new AbortController();
    try {
      const start = (await store.headPosition()) ?? undefined;
      await slow.query("begin");
      await slow.query(`select * from eventstore.append_events($1, 'any', null, $2, $3, $4::jsonb[], $5::jsonb[])`, [
        `s-${randomUUID()}`,
        [randomUUID()],
        ["Late"],
        ["{}"],
        ["{}"],
      ]);
      // Committed while the slow transaction still hides it; its wake-up (NOTIFY) is long gone
      // when the subscriber starts, so only the subscriber's own look-again can find it.
      await patient.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: "Early", data: {} }]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const received: string[] = [];
      let committedAt = 0;
      const reading = (async () => {
        for await (const m of patient.subscribeToAll({ after: start, signal: controller.signal })) {
          if (m.kind === "caughtUp" && committedAt === 0) {
            committedAt = Date.now();
            await slow.query("commit");
          }
          if (m.kind === "event") received.push(m.event.type);
          if (received.length === 2) return Date.now() - committedAt;
        }
        return Infinity;
      })();
      const timeout = setTimeout(() => controller.abort(), 10_000);
      const delay = await reading;
      clearTimeout(timeout);
      expect(received).to.deep.equal(["Late", "Early"]);
      expect(delay).to.be.below(1000);
    } finally {
      controller.abort();
      slow.release();
      await patient.close();
    }
  });

  it("delivers every event exactly once to a subscriber while 16 writers append", async () => {
    const start = (await store.headPosition()) ?? undefined;
    const perWriter = 25;
    const writers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; i < perWriter; i++)
        await store.appendToStream(`w-${w}-${randomUUID()}`, [{ id: randomUUID(), type: "W", data: { w, i } }]);
    });
    const controller = new AbortController();
    const seen = new Set<string>();
    let duplicates = 0;
    const reading = (async () => {
      for await (const m of store.subscribeToAll({ after: start, signal: controller.signal })) {
        if (m.kind !== "event") continue;
        if (seen.has(m.event.id)) duplicates++;
        seen.add(m.event.id);
        if (seen.size === 16 * perWriter) break;
      }
    })();
    await Promise.all(writers);
    const timeout = setTimeout(() => controller.abort(), 10_000);
    await reading;
    clearTimeout(timeout);
    expect(seen.size).to.equal(16 * perWriter);
    expect(duplicates).to.equal(0);
  });
});

describe("PostgreSQL event store: an append's settings, on one connection", () => {
  let db: TestDatabase;
  let single: pg.Pool;
  let store: PostgresEventStore;
  before(async () => {
    db = await createTestDatabase();
    // One connection: a setting would leak into the next statement on it if it outlived its transaction or function.
    single = new pg.Pool({ connectionString: db.url, max: 1 });
    store = await PostgresEventStore.connect(single, db.url);
  });
  after(async () => {
    await store.close();
    await single.end();
    await db.drop();
  });

  it("commits the events (in order, readable at once) and leaves later appends on the connection flushed", async () => {
    const stream = `s-${randomUUID()}`;
    const first = await store.appendToStream(stream, [{ id: randomUUID(), type: "Deferred", data: {} }], { expectedRevision: "no_stream", deferFlush: true });
    const second = await store.appendToStream(stream, [{ id: randomUUID(), type: "Flushed", data: {} }], { expectedRevision: first.nextExpectedRevision });
    expect((await store.readStream(stream)).map((e) => e.type)).to.deep.equal(["Deferred", "Flushed"]);
    expect(second.nextExpectedRevision).to.equal(1n);
    const { rows } = await single.query<{ synchronous_commit: string }>("show synchronous_commit");
    expect(rows[0]!.synchronous_commit).to.equal("on");
  });

  it("plans each append statement once per session (generic plans), and the setting stays inside the functions", async () => {
    // PostgreSQL's plan cache re-planned the array-driven statements on every call (see
    // schema.ts); the functions carry the mode themselves, so no session needs it.
    const { rows: functions } = await single.query<{ proname: string; proconfig: string[] | null }>(
      "select proname, proconfig from pg_proc where pronamespace = 'eventstore'::regnamespace and proname in ('append_events', 'append_to_streams') order by proname",
    );
    expect(functions).to.deep.equal([
      { proname: "append_events", proconfig: ["plan_cache_mode=force_generic_plan"] },
      { proname: "append_to_streams", proconfig: ["plan_cache_mode=force_generic_plan"] },
    ]);
    const stream = `s-${randomUUID()}`;
    await store.appendToStream(stream, [{ id: randomUUID(), type: "One", data: {} }], { expectedRevision: "no_stream" });
    await store.appendToStreams([{ streamName: stream, events: [{ id: randomUUID(), type: "Two", data: {} }], expectedRevision: 0n }]);
    expect((await store.readStream(stream)).map((e) => e.type)).to.deep.equal(["One", "Two"]);
    const { rows } = await single.query<{ plan_cache_mode: string }>("show plan_cache_mode");
    expect(rows[0]!.plan_cache_mode).to.equal("auto");
  });

  it("unpacks each stored document of a narrowed read once", async () => {
    // Documents too large to keep in the row: each unpacking fetches its chunks from TOAST, and
    // the pages it reads are counted (pg_statio_user_tables, flushed on demand: PostgreSQL 15+).
    const toastPages = async () => {
      await single.query("select pg_stat_force_next_flush()");
      const { rows } = await single.query<{ pages: string }>(
        "select pg_stat_clear_snapshot(), toast_blks_hit + toast_blks_read as pages from pg_statio_user_tables where schemaname = 'eventstore' and relname = 'events'",
      );
      return Number(rows[0]!.pages);
    };
    const type = `Large${randomUUID().slice(0, 8)}`;
    const head = (await store.headPosition()) ?? undefined;
    const appended = Array.from({ length: 4 }, (_, id) => ({ id: randomUUID(), type, data: { id, result: { kept: id, left: randomBytes(60_000).toString("hex") } } }));
    await store.appendToStream(`s-${randomUUID()}`, appended);
    // One unpacking of each: the pages a plain read of the documents takes.
    let before = await toastPages();
    await single.query("select sum(length(data::text)) from eventstore.events where event_type = $1", [type]);
    const once = (await toastPages()) - before;
    expect(once, "pages of one unpacking of each document").to.be.above(appended.length * 10);

    before = await toastPages();
    const controller = new AbortController();
    const got: RecordedEvent[] = [];
    for await (const msg of store.subscribeToAll({ ...(head ? { after: head } : {}), signal: controller.signal, eventTypes: [type], narrow: [{ type, schemaVersion: 1, member: "result", keep: ["kept"] }] })) {
      if (msg.kind === "event") got.push(msg.event);
      if (got.length === appended.length) break;
    }
    controller.abort();
    const narrowed = (await toastPages()) - before;
    expect(got.map((e) => e.data)).to.deep.equal(appended.map(({ data }) => ({ id: data.id, result: { kept: data.id } })));
    // Referring to the document and to its member apart unpacked it twice.
    expect(narrowed, `pages of the narrowed read (one unpacking: ${once})`).to.be.below(once * 1.5);
  });
});

describe("PostgreSQL event store: wake-ups across processes", () => {
  let db: TestDatabase;
  /** This process's LISTEN connection, for notifiers that only send. */
  let session: ListenSession;
  before(async () => {
    db = await createTestDatabase();
    session = new ListenSession(db.url);
  });
  after(async () => {
    await session.close();
    await db.drop();
  });

  it("wakes another process's subscribers through NOTIFY, and not its own a second time", async () => {
    const channel = "test_appended";
    // Two processes: each has its own LISTEN connection.
    const sessions = [new ListenSession(db.url), new ListenSession(db.url)] as const;
    const [own, other] = [new AppendNotifier(db.pool, sessions[0], channel), new AppendNotifier(db.pool, sessions[1], channel)];
    const signal = new AbortController().signal;
    try {
      const [ownSubscriber, otherSubscriber] = [own.subscribe(signal), other.subscribe(signal)];
      await new Promise((r) => setTimeout(r, 300)); // both LISTEN connections up
      const otherWoken = otherSubscriber.next();
      own.appended();
      // Armed after the local wake-up: only this process's own NOTIFY could still wake it.
      const ownWoken = ownSubscriber.next();
      const timed = async (w: { wait(ms: number): Promise<void> }, ms: number) => {
        const t = performance.now();
        await w.wait(ms);
        return performance.now() - t;
      };
      const [ownMs, otherMs] = await Promise.all([timed(ownWoken, 400), timed(otherWoken, 5000)]);
      expect(otherMs).to.be.below(300);
      expect(ownMs).to.be.at.least(390);
    } finally {
      await own.close();
      await other.close();
      await Promise.all(sessions.map((s) => s.close()));
    }
  });

  /** A LISTEN connection on `channel` that records when each notice arrives. */
  const listening = async (channel: string) => {
    const client = new pg.Client({ connectionString: db.url });
    const heard: number[] = [];
    await client.connect();
    client.on("notification", () => heard.push(performance.now()));
    await client.query(`listen ${channel}`);
    const until = (count: number) =>
      eventually(() => `heard ${heard.length} NOTIFYs, waited for ${count}`, () => heard.length >= count, { timeoutMs: 5000, intervalMs: 5 });
    return { heard, until, end: () => client.end() };
  };

  it("sends at most one NOTIFY per interval under a stream of appends", async () => {
    const listener = await listening("test_throttled");
    const notifier = new AppendNotifier(db.pool, session, "test_throttled");
    try {
      // 300 ms of appends, one every millisecond or so, each in a turn of its own.
      let appends = 0;
      for (const started = performance.now(); performance.now() - started < 300; appends++) {
        notifier.appended();
        await new Promise((r) => setTimeout(r, 1));
      }
      await listener.until(1);
      await new Promise((r) => setTimeout(r, 300));
      // 300 ms / NOTIFY_INTERVAL_MS, and one trailing: far fewer than the appends.
      expect(appends).to.be.above(50);
      expect(listener.heard.length).to.be.within(1, Math.ceil(300 / NOTIFY_INTERVAL_MS) + 2);
    } finally {
      await notifier.close();
      await listener.end();
    }
  });

  it("tells an append held back by the throttle: after the interval, or when the notifier closes", async () => {
    const listener = await listening("test_trailing");
    const notifier = new AppendNotifier(db.pool, session, "test_trailing");
    try {
      notifier.appended();
      await listener.until(1);
      notifier.appended(); // within the interval of the first NOTIFY, as a rule: held back
      await listener.until(2);
      await new Promise((r) => setTimeout(r, 3 * NOTIFY_INTERVAL_MS)); // the interval is over
      notifier.appended();
      await listener.until(3);
      notifier.appended(); // held back, then the notifier closes before the interval ends
      await notifier.close();
      await listener.until(4);
    } finally {
      await notifier.close();
      await listener.end();
    }
  });
});
