// The batch engine on both event stores: projections get only the event types they declare,
// writes wait only for the projections that read their event types, live projections share
// one read of the log (a slow one falls back to its own), replays in any batching change
// nothing, and a rebuild split into two partitions yields the tables of one; a rebuild reads
// the log once for all it rebuilds, writes in lanes, and resumes after failing between them.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import type { Knex } from "knex";
import { z } from "zod";
import { alertsProjection } from "../../../projections/alerts.js";
import { checkHistoryProjection, SSL_CHECKS_TABLE } from "../../../projections/checkHistory.js";
import { domainsProjection } from "../../../projections/domains.js";
import { appendHistories, domainHistory, encodeAll, type DomainHistory } from "../../../bench/support/domainHistory.js";
import { written } from "../../../src/infrastructure/commandHandling/written.js";
import { defineEvent, eventCodec } from "../../../src/infrastructure/eventStore/eventCodec.js";
import { comparePositions, type EventStore, type GlobalPosition, type SubscribeToAllOptions } from "../../../src/infrastructure/eventStore/eventStore.js";
import { EventStoreDbEventStore } from "../../../src/infrastructure/eventStore/eventStoreDb/eventStoreDbEventStore.js";
import { PostgresEventStore } from "../../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { createKnex, migrateReadModels } from "../../../src/infrastructure/postgres/knex.js";
import { defineProjection, type Projection } from "../../../src/infrastructure/projections/projection.js";
import { liveTarget } from "../../../src/infrastructure/projections/projectionTarget.js";
import { ProjectionRunner, type ProjectionRunnerOptions } from "../../../src/infrastructure/projections/projectionRunner.js";
import { inPartition } from "../../../src/infrastructure/projections/partition.js";
import { COPY_FROM_ROWS } from "../../../src/infrastructure/projections/rowWrites.js";
import { UnavailableError } from "../../../src/shared/errors.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { startEventStoreDbServer } from "../../support/eventStoreDbServer.js";
import { eventually } from "../../support/eventually.js";
import { snapshot } from "../../support/readModels.js";

const Wanted = defineEvent({ type: "Wanted", version: 1, schema: z.object({ n: z.number().int() }) });
const Other = defineEvent({ type: "Other", version: 1, schema: z.object({ n: z.number().int() }) });
const codec = eventCodec([Wanted, Other] as const);
const perStream = [domainsProjection, checkHistoryProjection, alertsProjection];

const stores = [
  { label: "PostgreSQL event store", esdb: false },
  { label: "EventStoreDB (protocol test double)", esdb: true },
];

for (const kind of stores) {
  describe(`batch projection engine over the ${kind.label} (integration)`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let store: EventStore;
    let knex: Knex;
    let stopServer: () => Promise<void> = async () => undefined;
    /** Every subscription opened, with the events it delivered, and whether it is still open. */
    const subscriptions: { options: SubscribeToAllOptions; delivered: number; open: boolean }[] = [];
    const runners: ProjectionRunner[] = [];

    beforeEach(async () => {
      db = await createTestDatabase();
      if (kind.esdb) {
        const server = await startEventStoreDbServer();
        stopServer = () => server.stop();
        store = await EventStoreDbEventStore.connect(server.connectionString, { resubscribeDelayMs: 20 });
      } else store = await PostgresEventStore.connect(db.pool, db.url);
      knex = createKnex(db.url);
      await migrateReadModels(knex);
      subscriptions.length = 0;
    });
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      await knex?.destroy();
      await store?.close();
      await stopServer();
      await db?.drop();
    });

    /** The store, counting what each subscription delivers. */
    const counted = (): EventStore => {
      const inner = store;
      return Object.assign(Object.create(inner) as EventStore, {
        async *subscribeToAll(options: SubscribeToAllOptions) {
          const entry = { options, delivered: 0, open: true };
          subscriptions.push(entry);
          try {
            for await (const m of inner.subscribeToAll(options)) {
              if (m.kind === "event") entry.delivered++;
              yield m;
            }
          } finally {
            entry.open = false;
          }
        },
      });
    };
    const runner = (projections: Projection[], options: ProjectionRunnerOptions = {}) => {
      const r = new ProjectionRunner(knex, counted(), projections, options);
      runners.push(r);
      return r;
    };

    /** Records each event it is handed; `slowMs` per batch. */
    const recording = async (name: string, types: ("Wanted" | "Other")[], options: { slowMs?: number; consistency?: "eventual" } = {}) => {
      const table = `test_${name}`;
      await knex.schema.createTable(table, (tb) => {
        tb.uuid("event_id").primary();
        tb.text("type").notNullable();
        tb.integer("times").notNullable();
      });
      const projection = defineProjection({
        name,
        tables: [table],
        codec,
        eventTypes: types,
        ...(options.consistency ? { consistency: options.consistency } : {}),
        async applyBatch(trx, events) {
          if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
          await trx.raw(
            `insert into ?? (event_id, type, times) select id, type, 1 from json_to_recordset(?::json) as e(id uuid, type text)
             on conflict (event_id) do update set times = ??.times + 1`,
            [table, JSON.stringify(events.map((e) => ({ id: e.recorded.id, type: e.event.type }))), table],
          );
        },
      });
      const rows = async () => (await knex(table)) as { event_id: string; type: string; times: number }[];
      return { projection, rows };
    };

    const append = async (types: ("Wanted" | "Other")[]): Promise<GlobalPosition> => {
      const events = types.map((type, n) => codec.encode({ type, data: { n } }, randomUUID(), {}));
      return (await store.appendToStream(`test-${randomUUID()}`, events)).position;
    };

    it("hands a projection only the events of its declared types, and waits only for those who read a write", async () => {
      const wanted = await recording("wanted", ["Wanted"]);
      const other = await recording("other", ["Other"]);
      const eventual = await recording("eventual", ["Wanted"], { consistency: "eventual" });
      const r = runner([wanted.projection, other.projection, eventual.projection]);
      const position = await append(["Wanted", "Other", "Wanted"]);
      // Only `wanted` runs: `other` and `eventual` are left behind on purpose.
      await runner([wanted.projection]).catchUp();
      await r.waitFor(written(position, ["Wanted"]), 2000);
      await expectRejected(r.waitFor(written(position, ["Other"]), 300), UnavailableError);
      await expectRejected(r.waitFor(written(position, ["Wanted"]), 300, "all"), UnavailableError);
      await expectRejected(r.waitFor(position, 300), UnavailableError); // a bare position: every read-your-writes projection
      expect((await wanted.rows()).map((row) => row.type)).to.deep.equal(["Wanted", "Wanted"]);

      await r.start();
      await r.waitFor(position, 5000, "all");
      expect((await other.rows()).map((row) => row.type)).to.deep.equal(["Other"]);
      expect((await eventual.rows()).map((row) => row.type)).to.deep.equal(["Wanted", "Wanted"]);
    });

    it("learns that a projection it runs passed a write from its own commit, without reading the checkpoints", async () => {
      const wanted = await recording("local", ["Wanted"]);
      const r = runner([wanted.projection]);
      await r.start();
      await r.waitFor(written(await append(["Wanted"]), ["Wanted"]), 10_000);
      // Counts the waits' reads (every projection's checkpoint, `in`). The runner's loop reads
      // its own (`=`) whenever it starts following again, which may still happen after the
      // first wait returned: that event may have been projected by the catch-up read.
      let checkpointReads = 0;
      const count = (query: { sql: string }) => {
        if (/from "projection_checkpoints" where "name" in/.test(query.sql)) checkpointReads++;
      };
      // A wait asks the database only after 250 ms without a local commit (leadership may have
      // moved): at most one read per 250 ms waited. Before, every wait read at least once.
      let allowed = 0;
      knex.on("query", count);
      try {
        for (let i = 0; i < 20; i++) {
          const position = await append(["Wanted"]);
          const started = Date.now();
          await r.waitFor(written(position, ["Wanted"]), 10_000);
          allowed += Math.floor((Date.now() - started) / 250);
          expect((await wanted.rows()).length).to.equal(i + 2);
        }
      } finally {
        knex.off("query", count);
      }
      expect(checkpointReads).to.be.at.most(allowed);
    });

    it("reads the log once for every live projection of a process", async () => {
      const projections = await Promise.all(["a", "b", "c"].map((n) => recording(n, ["Wanted", "Other"])));
      const r = runner(projections.map((p) => p.projection));
      await r.start();
      // Once every projection has applied a first event, all of them follow the shared reader
      // (events appended while a projection is still catching up may reach it on its own read).
      await r.waitFor(written(await append(["Wanted", "Other"]), ["Wanted", "Other"]), 10_000);
      // A projection's own catch-up read ends just after its last commit, so it may still be
      // open when the count begins: wait until only the shared reader reads. (CI once counted
      // 42 here; that such a read delivered the 2 extra events is a guess, not reproduced: the
      // messages below name each subscription's deliveries if it happens again.)
      const seen = () => subscriptions.map((s) => `${s.options.eventTypes?.join("+") ?? "all"}: ${s.delivered}${s.open ? "" : " (ended)"}`).join("; ");
      await eventually(() => `only the shared reader open (${seen()})`, () => subscriptions.filter((s) => s.open).length === 1, { timeoutMs: 5000, intervalMs: 10 });
      const before = subscriptions.reduce((sum, s) => sum + s.delivered, 0);
      let last: GlobalPosition | null = null;
      for (let i = 0; i < 20; i++) last = await append(["Wanted", "Other"]);
      await r.waitFor(written(last!, ["Wanted"]), 10_000);
      for (const p of projections) expect(await p.rows()).to.have.length(42);
      expect(subscriptions.reduce((sum, s) => sum + s.delivered, 0) - before, `events delivered per subscription: ${seen()}`).to.equal(40);
    });

    it("lets a slow projection fall behind the shared reader and catch up on its own, applying each event once", async () => {
      const fast = await recording("fast", ["Wanted"]);
      const slow = await recording("slow", ["Wanted"], { slowMs: 40 });
      const r = runner([fast.projection, slow.projection], { batchSize: 5, feedLimit: 4 });
      await r.start();
      let last: GlobalPosition | null = null;
      for (let i = 0; i < 30; i++) last = await append(["Wanted", "Wanted", "Wanted", "Wanted"]);
      await r.waitFor(written(last!, ["Wanted"]), 30_000);
      for (const p of [fast, slow]) {
        const rows = await p.rows();
        expect(rows).to.have.length(120);
        expect(rows.filter((row) => row.times !== 1)).to.deep.equal([]);
      }
      // It fell back to reads of its own at least once.
      expect(subscriptions.length).to.be.above(1);
    });

    describe("per-stream read models (domains, check_history, alerts)", () => {
      /** The rebuild lane (stream partition 0 or 1 of 2, the default lanes) a stream is written in. */
      const laneOf = (streamName: string) => (inPartition(streamName, { index: 0, count: 2 }) ? 0 : 1);

      beforeEach(async () => {
        const start = new Date(Date.now() - 20 * 86_400_000);
        const users = [randomUUID(), randomUUID(), randomUUID()];
        await appendHistories(store, 30, 4, (i) =>
          domainHistory({ userId: users[i % 3]!, hostname: `d${i}.example.com`, events: 12, certDays: 1 + (i % 20), start }),
        );
        await runner(perStream).catchUp();
      });

      it("rebuilds in two partitions, each in its own runner, to the tables of one", async () => {
        const live = await Promise.all(perStream.map((p) => snapshot(knex, p)));
        expect(live.map((tables) => Object.values(tables).every((rows) => rows.length > 0))).to.deep.equal([true, true, true]);
        for (const [i, projection] of perStream.entries()) {
          const swapped = await Promise.all(
            [0, 1].map((index) => runner([projection]).rebuild(projection, undefined, { partition: { index, count: 2 } })),
          );
          expect(swapped.filter(Boolean), projection.name).to.have.length(1);
          expect(await snapshot(knex, projection), projection.name).to.deep.equal(live[i]);
          await runner([projection]).rebuild(projection);
          expect(await snapshot(knex, projection), projection.name).to.deep.equal(live[i]);
        }
        const shadows = await knex.raw<{ rows: unknown[] }>("select 1 from pg_namespace where nspname like 'rebuild_%'");
        expect(shadows.rows).to.deep.equal([]);
      });

      it("rebuilds the three together with one read of the log, each in two lanes, to the tables projected live", async () => {
        const live = await Promise.all(perStream.map((p) => snapshot(knex, p)));
        subscriptions.length = 0;
        expect(await runner(perStream, { rebuildBatchSize: 40, rebuildLanes: 2 }).rebuild(perStream)).to.equal(true);
        expect(await Promise.all(perStream.map((p) => snapshot(knex, p)))).to.deep.equal(live);
        expect(subscriptions.map((s) => s.options.eventTypes?.length)).to.deep.equal([new Set(perStream.flatMap((p) => [...p.eventTypes])).size]);
      });

      it("rebuilds through COPY, check results taken out of a PostgreSQL log or sent as values, to the tables projected live", async () => {
        // Enough checks that each lane's batch of SSL results is staged by COPY.
        const start = new Date(Date.now() - 40 * 86_400_000);
        await appendHistories(store, 2 * Math.ceil(COPY_FROM_ROWS / 10), 4, (i) =>
          domainHistory({ userId: randomUUID(), hostname: `copy${i}.example.com`, events: 20, certDays: 1 + (i % 20), start }),
        );
        await runner(perStream).catchUp();
        const live = await Promise.all(perStream.map((p) => snapshot(knex, p)));
        expect(live[1]![`public.${SSL_CHECKS_TABLE}`]).to.have.length.above(2 * COPY_FROM_ROWS);
        // The store as it is, and (PostgreSQL) as if its log were not a table of this database.
        const sources = kind.esdb ? [store] : [store, Object.assign(Object.create(store) as EventStore, { logTable: undefined })];
        for (const source of sources) {
          const stages: string[] = [];
          const noteStage = (query: { sql: string }) => {
            if (query.sql.startsWith(`create temporary table "stage_${SSL_CHECKS_TABLE}_`)) stages.push(query.sql);
          };
          knex.on("query", noteStage);
          try {
            // One lane, and pages that hold the whole log: a batch's size must not depend on
            // how fast the reads run against the writes (a loaded machine made them all small).
            const r = new ProjectionRunner(knex, source, perStream, { rebuildBatchSize: 50_000, rebuildLanes: 1 });
            runners.push(r);
            expect(await r.rebuild(perStream)).to.equal(true);
          } finally {
            knex.off("query", noteStage);
          }
          const byReference = stages.filter((sql) => sql.includes('"result@event" uuid')).length;
          // The EventStoreDB test double delivers in small pieces: its batches may stay below COPY.
          if (!kind.esdb) expect(stages.length, "batches of SSL results staged by COPY").to.be.above(0);
          expect(byReference, "stages of results by reference").to.equal(source.logTable ? stages.length : 0);
          expect(await Promise.all(perStream.map((p) => snapshot(knex, p)))).to.deep.equal(live);
        }
      });

      it("resumes a rebuild that failed in one lane after the other lane committed, to the same tables", async () => {
        const expected = await snapshot(knex, domainsProjection);
        // Each batch written, in order: its lane and where its events begin and end.
        const batches: { lane: number; first: GlobalPosition; last: GlobalPosition }[] = [];
        let failed: (typeof batches)[number] | undefined;
        const failing: Projection = {
          ...domainsProjection,
          async applyBatch(trx, events) {
            const batch = { lane: laneOf(events[0]!.streamName), first: events[0]!.position, last: events.at(-1)!.position };
            batches.push(batch);
            // Lane 0's second batch.
            if (batch.lane === 0 && batches.filter((b) => b.lane === 0).length === 2) {
              failed = batch;
              throw new Error("crash in the middle");
            }
            await domainsProjection.applyBatch(trx, events);
          },
        };
        await expectRejected(runner([failing], { rebuildBatchSize: 40 }).rebuild(failing), Error);
        // The failed lane wrote nothing after its failure.
        expect(batches.slice(batches.indexOf(failed!) + 1).map((b) => b.lane)).to.not.include(0);
        // The other went on for at most the batches already in flight (two at once): its part of
        // the failed batch and of the one after, nothing later. (Which lane's transaction begins
        // first is up to the connection pool: lane 1 may write its part of an earlier batch
        // after lane 0 failed.)
        expect(batches.filter((b) => b.lane === 1 && comparePositions(b.last, failed!.first) > 0).length).to.be.at.most(2);
        const lanes = await knex("projection_checkpoints").where("name", "like", "domains@rebuild#%").orderBy("name");
        expect(lanes.map((c: { name: string }) => c.name)).to.deep.equal(["domains@rebuild#0/2", "domains@rebuild#1/2"]);
        // Lane 1 is ahead of lane 0.
        const [lane0, lane1] = lanes.map((c: { commit_position: string; prepare_position: string }) => ({ commit: BigInt(c.commit_position), prepare: BigInt(c.prepare_position) }));
        expect(comparePositions(lane1!, lane0!)).to.equal(1);
        expect(await snapshot(knex, domainsProjection)).to.deep.equal(expected);

        expect(await runner([domainsProjection], { rebuildBatchSize: 40 }).rebuild(domainsProjection)).to.equal(true);
        expect(await snapshot(knex, domainsProjection)).to.deep.equal(expected);
      });

      it("lets a lane write its next batch while another lane still writes the one before", async () => {
        // Two streams, one in each lane, appended an event at a time in turn: every batch of that
        // stretch of the log holds events of both lanes.
        const pair: DomainHistory[] = [];
        while (pair.length < 2) {
          const h = domainHistory({ userId: randomUUID(), hostname: `side${pair.length}.example.com`, events: 100, certDays: 30, start: new Date(Date.now() - 60 * 86_400_000) });
          if (laneOf(h.streamName) === pair.length) pair.push(h);
        }
        const [a, b] = pair.map((h) => encodeAll(h.events));
        for (let i = 0; i < Math.min(a!.length, b!.length); i++) {
          for (const [h, encoded] of [[pair[0]!, a!], [pair[1]!, b!]] as const) {
            await store.appendToStream(h.streamName, [encoded[i]!], { expectedRevision: i === 0 ? "no_stream" : BigInt(i - 1) });
          }
        }
        await runner(perStream).catchUp();
        const expected = await snapshot(knex, domainsProjection);
        let blocked: GlobalPosition | undefined;
        // Where each of lane 0's batches began: lane 0 may get there before lane 1's transaction
        // even reaches its batch (each waits for a connection of its own).
        const lane0Starts: GlobalPosition[] = [];
        let release = () => undefined as void;
        const overtaken = new Promise<void>((resolve) => (release = resolve));
        const beyondBlocked = (position: GlobalPosition) => blocked !== undefined && comparePositions(position, blocked) > 0;
        let waited: Promise<boolean> | undefined;
        const slow: Projection = {
          ...domainsProjection,
          async applyBatch(trx, events) {
            const [first] = events;
            // Lane 0 began a batch wholly after the one lane 1 still writes.
            if (laneOf(first!.streamName) === 0) {
              lane0Starts.push(first!.position);
              if (beyondBlocked(first!.position)) release();
            }
            // Lane 1's first batch of the side-by-side stretch holds on until then (or gives up).
            if (!waited && events.some((e) => e.streamName === pair[1]!.streamName)) {
              blocked = events.at(-1)!.position;
              if (lane0Starts.some(beyondBlocked)) release();
              waited = Promise.race([overtaken.then(() => true), delay(3000).then(() => false)]);
              await waited;
            }
            await domainsProjection.applyBatch(trx, events);
          },
        };
        expect(await runner([slow], { rebuildBatchSize: 40 }).rebuild(slow)).to.equal(true);
        expect(await waited, "lane 0 began its next batch while lane 1 wrote the one before").to.equal(true);
        expect(await snapshot(knex, domainsProjection)).to.deep.equal(expected);
      });

      it("changes nothing when the log is applied again, in one batch or in batches of any size", async () => {
        const live = await Promise.all(perStream.map((p) => snapshot(knex, p)));
        const events = await store.readAll({ maxCount: 100_000 });
        for (const size of [events.length, 7, 1]) {
          for (const projection of perStream) {
            await knex.transaction(async (trx) => {
              await trx.raw("select set_config('search_path', ?, true)", [liveTarget(projection).searchPath]);
              for (let i = 0; i < events.length; i += size) await projection.applyBatch(trx, events.slice(i, i + size));
            });
          }
          expect(await Promise.all(perStream.map((p) => snapshot(knex, p))), `batches of ${size}`).to.deep.equal(live);
        }
      });
    });
  });
}

async function expectRejected(promise: Promise<unknown>, type: new (...args: never[]) => Error) {
  const outcome = await promise.then(
    () => "resolved",
    (err: unknown) => err,
  );
  expect(outcome).to.be.instanceOf(type);
}
