// Live projections on the PostgreSQL store read new appends lazily while no write waits for
// them (readerPace.ts), and at once for a write that waits: in the leading process itself, and
// from another process through NOTIFY. A leader that cannot hear those waits stays live.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Knex } from "knex";
import { z } from "zod";
import { defineEvent, eventCodec } from "../../../src/infrastructure/eventStore/eventCodec.js";
import type { RecordedEvent } from "../../../src/infrastructure/eventStore/eventStore.js";
import { PostgresEventStore } from "../../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { createKnex, migrateReadModels } from "../../../src/infrastructure/postgres/knex.js";
import { ListenSession } from "../../../src/infrastructure/postgres/listenSession.js";
import { defineProjection, type Projection } from "../../../src/infrastructure/projections/projection.js";
import { ProjectionRunner, WANTED_CHANNEL, type ProjectionRunnerOptions } from "../../../src/infrastructure/projections/projectionRunner.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { eventually } from "../../support/eventually.js";

const Paced = defineEvent({ type: "Paced", version: 1, schema: z.object({ n: z.number().int() }) });
const codec = eventCodec([Paced] as const);
/** Long enough that a read within half of it can only be a hurried one. */
const LAZY_MS = 4000;

describe("lazy live projections, hurried by waiting writes (integration)", function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  let knex: Knex;
  let projection: Projection;
  /** The sizes of the batches the projection applied, in order. */
  let batches: number[];
  const runners: ProjectionRunner[] = [];
  const sessions: ListenSession[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.connect(db.pool, db.url);
    knex = createKnex(db.url);
    await migrateReadModels(knex);
    await knex.schema.createTable("test_paced", (tb) => {
      tb.uuid("event_id").primary();
    });
    batches = [];
    projection = defineProjection({
      name: "paced",
      tables: ["test_paced"],
      codec,
      eventTypes: ["Paced"],
      async applyBatch(trx, events) {
        batches.push(events.length);
        await trx("test_paced").insert(events.map((e) => ({ event_id: e.recorded.id }))).onConflict("event_id").ignore();
      },
    });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await knex?.destroy();
    await store?.close();
    await db?.drop();
  });

  const runner = (options: ProjectionRunnerOptions = {}) => {
    const r = new ProjectionRunner(knex, store, [projection], options);
    runners.push(r);
    return r;
  };
  const leader = async (databaseUrl = db.url) => {
    const listenSession = new ListenSession(databaseUrl);
    sessions.push(listenSession);
    const r = runner({ listenSession, lazyMs: LAZY_MS });
    await r.start();
    return r;
  };
  const append = async (n: number): Promise<RecordedEvent> => {
    const stream = `paced-${randomUUID()}`;
    await store.appendToStream(stream, [codec.encode({ type: "Paced", data: { n } }, randomUUID(), {})]);
    return (await store.readStream(stream))[0]!;
  };
  const projected = async () => Number((await knex("test_paced").count<{ count: string }[]>("* as count"))[0]!.count);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("gathers appends no write waits for into one batch, read lazyMs after the first", async () => {
    // The projection follows the shared reader only once its own catch-up read is done: an
    // append committed before its loop asked where the log ends is read by that catch-up, at
    // once (CI saw one projected early so). So the log holds an event before the runner
    // starts, and the appends below come once it is projected and the catch-up read has ended.
    await append(0);
    await leader();
    await eventually("the first event projected", async () => (await projected()) === 1, { timeoutMs: LAZY_MS / 2 });
    await sleep(200);
    batches = [];
    const started = performance.now();
    for (let n = 1; n <= 3; n++) {
      await append(n);
      await sleep(50);
    }
    await sleep(LAZY_MS / 4);
    expect(await projected(), "projected before lazyMs").to.equal(1);
    await eventually("all four events projected", async () => (await projected()) === 4, { timeoutMs: 2 * LAZY_MS });
    expect(performance.now() - started).to.be.at.least(LAZY_MS - 50);
    expect(batches).to.deep.equal([3]);
  });

  /** Counts the NOTIFYs asking leaders to read now, from here on. */
  const askings = async () => {
    const client = await db.pool.connect();
    let count = 0;
    client.on("notification", (n) => {
      if (n.channel === WANTED_CHANNEL) count++;
    });
    await client.query(`listen ${WANTED_CHANNEL}`);
    return {
      count: () => count,
      stop: async () => {
        await client.query("unlisten *");
        client.release();
      },
    };
  };

  it("reads at once for a write that waits in the leading process, asking no other process", async () => {
    const r = await leader();
    // Its first commit makes it know itself the leader (until then it asks as any process).
    await r.waitFor((await append(0)).position);
    await sleep(200);
    const asked = await askings();
    try {
      for (let n = 1; n <= 3; n++) {
        const event = await append(n);
        const started = performance.now();
        await r.waitFor(event.position);
        expect(performance.now() - started).to.be.below(LAZY_MS / 2);
      }
      expect(await projected()).to.equal(4);
      await sleep(100);
      expect(asked.count()).to.equal(0);
    } finally {
      await asked.stop();
    }
  });

  it("reads at once for a write that waits in another process, which asks by NOTIFY", async () => {
    await leader();
    // Another process: no projection of its own runs; it only waits for the leader's.
    const elsewhere = runner();
    const asked = await askings();
    try {
      const event = await append(1);
      const started = performance.now();
      await elsewhere.waitFor(event.position);
      expect(performance.now() - started).to.be.below(LAZY_MS / 2);
      // A wait that finds its write projected already asks no one.
      const before = asked.count();
      expect(before).to.be.at.least(1);
      await elsewhere.waitFor(event.position);
      await sleep(100);
      expect(asked.count()).to.equal(before);
    } finally {
      await asked.stop();
    }
  });

  it("stays live while it cannot hear other processes' waits", async () => {
    // Nothing listens on port 1: the channel is deaf, so no wait could hurry this reader.
    await leader("postgres://postgres@127.0.0.1:1/postgres");
    await append(1);
    await eventually("the event projected", async () => (await projected()) === 1, { timeoutMs: LAZY_MS / 2 });
  });
});
