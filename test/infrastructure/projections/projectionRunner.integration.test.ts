// The generic projection runner on real PostgreSQL: rebuilds reproduce read models exactly,
// a batch and its checkpoint commit together, concurrent runners never apply an event twice,
// and waitFor gives read-your-writes.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Knex } from "knex";
import { z } from "zod";
import { allProjections } from "../../../projections/index.js";
import { defineEvent, eventCodec } from "../../../src/infrastructure/eventStore/eventCodec.js";
import { comparePositions, type EventStore, type GlobalPosition, type RecordedEvent } from "../../../src/infrastructure/eventStore/eventStore.js";
import { EventStoreDbEventStore } from "../../../src/infrastructure/eventStore/eventStoreDb/eventStoreDbEventStore.js";
import { PostgresEventStore } from "../../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { createKnex, migrateReadModels } from "../../../src/infrastructure/postgres/knex.js";
import { readCheckpoints } from "../../../src/infrastructure/projections/checkpoints.js";
import { collectProjectionGauges } from "../../../src/infrastructure/projections/projectionGauges.js";
import { defineProjection, type Projection } from "../../../src/infrastructure/projections/projection.js";
import { ProjectionRunner } from "../../../src/infrastructure/projections/projectionRunner.js";
import { UnavailableError } from "../../../src/shared/errors.js";
import { inGroups } from "../../support/apiHelpers.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { startEventStoreDbServer } from "../../support/eventStoreDbServer.js";
import { eventually } from "../../support/eventually.js";
import { snapshot } from "../../support/readModels.js";
import { startTestServer, type TestServer } from "../../support/testServer.js";

const TestHappened = defineEvent({
  type: "TestHappened",
  version: 1,
  schema: z.object({ n: z.number().int(), poison: z.boolean().optional() }),
});
const testCodec = eventCodec([TestHappened] as const);

interface StoreUnderTest {
  /** Settings for a test server on this store. */
  readonly env: Record<string, string>;
  /** The EventStoreDB double's address; absent for PostgreSQL. */
  readonly connectionString?: string;
  stop(): Promise<void>;
}

/** The event stores the runner's contract is proven on; read models are in PostgreSQL either way. */
const stores: { label: string; start: () => Promise<StoreUnderTest> }[] = [
  { label: "PostgreSQL event store", start: async () => ({ env: {}, stop: async () => undefined }) },
  {
    label: "EventStoreDB (protocol test double)",
    start: async () => {
      const server = await startEventStoreDbServer();
      return { env: { EVENTSTORE_URL: server.connectionString }, connectionString: server.connectionString, stop: () => server.stop() };
    },
  },
];

for (const kind of stores) describe(`projection runner over the ${kind.label} (integration)`, () => {
  describe("rebuilding from zero", () => {
    let t: TestServer;
    let stopStore: () => Promise<void>;
    before(async () => {
      const started = await kind.start();
      stopStore = started.stop;
      t = await startTestServer({ env: started.env });
    });
    after(async () => {
      await t?.close();
      await stopStore?.();
    });

    it("yields read models identical to the ones projected live", async function () {
      this.timeout(90_000); // the EventStoreDB double answers slowly
      // A mix of users, keys, domains, updates, revocations and deletes, through the API.
      await inGroups(4, 2, async (u) => {
        const { key } = await t.createUser();
        const api = t.client(key);
        const extra = (await api.post("/api-keys", { label: `extra ${u}`, permissions: ["read"] })).body;
        expect((await api.delete(`/api-keys/${extra.id}`)).status).to.equal(200);
        await api.post("/api-keys", { label: `kept ${u}`, expires_at: "2099-01-01T00:00:00.000Z" });
        const ids = await inGroups(6, 3, async (i) => (await api.post("/domains", { hostname: `d${i}.u${u}.example.com`, tags: [`t${i}`] })).body.id);
        await api.put(`/domains/${ids[0]}`, { notes: "edited", is_active: false, tags: [] });
        await api.put(`/domains/${ids[1]}`, { hostname: `moved.u${u}.example.com`, port: 8443 });
        await api.delete(`/domains/${ids[2]}`);
      });
      const { knex, eventStore } = t.server.infra;
      // The eventual ones (analytics) too, each up to the newest event of its types: writes
      // waited only for the read-your-writes ones.
      for (const p of allProjections.filter((p) => p.consistency === "eventual")) {
        const head = (await eventStore.headPosition({ eventTypes: [...p.eventTypes] })) ?? expect.fail("nothing appended");
        for (let tries = 0; ; tries++) {
          const at = (await readCheckpoints(knex, [p.name])).get(p.name)?.position;
          if (at && comparePositions(at, head) >= 0) break;
          if (tries > 200) expect.fail(`${p.name} did not catch up`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const live = await Promise.all(allProjections.map((p) => snapshot(knex, p)));
      const domains = live[allProjections.findIndex((p) => p.name === "domains")]?.["public.domains"] ?? [];
      expect(domains).to.have.length(24);
      expect(domains.filter((d) => (d as { deleted_at: Date | null }).deleted_at !== null)).to.have.length(4);

      // As `ssltrackr projections rebuild` does: another runner on the same database.
      const cli = new ProjectionRunner(knex, eventStore, allProjections);
      for (const projection of allProjections) {
        await cli.rebuild(projection);
        expect(await snapshot(knex, projection), projection.name).to.deep.equal(live[allProjections.indexOf(projection)]);
      }
      await cli.stop();
    });
  });

  describe("checkpoints and concurrency", () => {
    let db: TestDatabase;
    let store: EventStore;
    let stopStore: () => Promise<void>;
    let knex: Knex;
    const runners: ProjectionRunner[] = [];

    beforeEach(async () => {
      db = await createTestDatabase();
      const started = await kind.start();
      stopStore = started.stop;
      store = started.connectionString
        ? await EventStoreDbEventStore.connect(started.connectionString, { resubscribeDelayMs: 20 })
        : await PostgresEventStore.connect(db.pool, db.url);
      knex = createKnex(db.url);
      await migrateReadModels(knex);
    });
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      await knex?.destroy();
      await store?.close();
      await stopStore?.();
      await db?.drop();
    });

    const runner = (projection: Projection, onError?: (err: unknown) => void) => {
      const r = new ProjectionRunner(knex, store, [projection], { onError: (_name, err) => onError?.(err) });
      runners.push(r);
      return r;
    };

    /** Inserts a row per event, counting applications; throws on poison while `failing`. */
    const countingProjection = async (name: string, options: { failing?: () => boolean } = {}) => {
      const table = `test_applied_${name}`;
      await knex.schema.createTable(table, (tb) => {
        tb.uuid("event_id").primary();
        tb.integer("n").notNullable();
        tb.integer("times").notNullable();
      });
      const projection = defineProjection({
        name,
        tables: [table],
        codec: testCodec,
        eventTypes: ["TestHappened"],
        async applyBatch(trx, events) {
          for (const { event, recorded } of events) {
            await trx(table)
              .insert({ event_id: recorded.id, n: event.data.n, times: 1 })
              .onConflict("event_id")
              .merge({ times: trx.raw("??.times + 1", [table]) });
            if (event.data.poison && options.failing?.()) throw new Error(`poisoned event ${event.data.n}`);
          }
        },
      });
      const rows = async () => (await knex(table).orderBy("n")) as { event_id: string; n: number; times: number }[];
      return { projection, rows };
    };

    const append = async (...events: { n: number; poison?: boolean }[]): Promise<RecordedEvent[]> => {
      const stream = `test-${randomUUID()}`;
      await store.appendToStream(
        stream,
        events.map((data) => testCodec.encode({ type: "TestHappened", data }, randomUUID(), {})),
      );
      return store.readStream(stream);
    };
    const appendMany = async (count: number, perAppend: number) =>
      (
        await inGroups(count / perAppend, 5, (i) =>
          append(...Array.from({ length: perAppend }, (_, j) => ({ n: i * perAppend + j }))),
        )
      ).flat();
    const checkpointOf = async (name: string) => (await readCheckpoints(knex, [name])).get(name);
    const head = async (): Promise<GlobalPosition> => {
      const position = await store.headPosition();
      if (!position) throw new Error("empty event store");
      return position;
    };

    it("commits a batch's rows and its checkpoint together: a failing event leaves neither, then catches up", async () => {
      let failing = true;
      const { projection, rows } = await countingProjection("atomic", { failing: () => failing });
      const errors: unknown[] = [];
      const r = runner(projection, (err) => errors.push(err));
      const [first] = await append({ n: 1 });
      await r.start();
      await r.waitFor(first!.position);

      const later = await append({ n: 2 }, { n: 3, poison: true }, { n: 4 });
      await eventually("the poisoned event fails", () => errors.length > 0, { timeoutMs: 5000 });
      expect(String(errors[0])).to.include("poisoned event 3");
      const stuck = (await checkpointOf("atomic"))?.position;
      // The checkpoint stops short of the poisoned event...
      expect(stuck && comparePositions(stuck, later[1]!.position)).to.be.below(0);
      // ...and the rows are exactly those of the events up to the checkpoint: the poisoned
      // event's own insert and any rest of its batch were rolled back with it.
      const applied = [first!, ...later].filter((e) => stuck && comparePositions(e.position, stuck) <= 0).map((e) => e.id);
      expect((await rows()).map((row) => row.event_id)).to.deep.equal(applied);
      await expectRejected(r.waitFor(later[2]!.position, 300), UnavailableError);
      // Every process can see that it fails, since when and why (metrics, `projections status`).
      const failingRow = await eventually("the failure recorded on the checkpoint", async () => {
        const cp = await checkpointOf("atomic");
        return cp?.failingSince ? cp : undefined;
      });
      expect(failingRow.lastError).to.equal("Error: poisoned event 3");
      await eventually("a second attempt", () => errors.length > 1, { timeoutMs: 5000 });
      // Since the first failure in a row, not the latest.
      expect((await checkpointOf("atomic"))?.failingSince).to.deep.equal(failingRow.failingSince);
      const gauge = async () => (await (await collectProjectionGauges(knex, ["atomic"], new Date())).getSingleMetric("ssltrackr_projection_failing_seconds")!.get()).values[0]!.value;
      expect(await gauge()).to.be.above(0);

      failing = false; // the fix is deployed; the runner retries on its own
      await r.waitFor(later[2]!.position);
      expect((await rows()).map(({ n, times }) => ({ n, times }))).to.deep.equal([1, 2, 3, 4].map((n) => ({ n, times: 1 })));
      expect(await checkpointOf("atomic")).to.deep.include({ position: later[2]!.position, eventsProcessed: 4, failingSince: null, lastError: null });
      expect(await gauge()).to.equal(0);
    });

    it("never applies an event twice with two runners (two processes) on the same projection", async () => {
      const { projection, rows } = await countingProjection("twins");
      const errors: unknown[] = [];
      const [a, b] = [runner(projection, (e) => errors.push(e)), runner(projection, (e) => errors.push(e))];
      await Promise.all([a.start(), b.start()]);
      const events = await appendMany(300, 3);
      const position = await head();
      await Promise.all([a.waitFor(position), b.waitFor(position)]);
      const applied = await rows();
      expect(applied).to.have.length(events.length);
      expect(applied.filter((row) => row.times !== 1)).to.deep.equal([]);
      expect(await checkpointOf("twins")).to.deep.include({ position, eventsProcessed: events.length });
      expect(errors).to.deep.equal([]);
    });

    it("lets a one-shot catch-up (the CLI) finish while a server's runner projects the same events", async () => {
      const { projection, rows } = await countingProjection("catchup");
      const server = runner(projection);
      await server.start();
      let total = 0;
      for (let round = 0; round < 5; round++) {
        const writes = appendMany(60, 2);
        const cli = runner(projection);
        await cli.catchUp();
        total += (await writes).length;
        await cli.catchUp();
      }
      await server.waitFor(await head());
      const applied = await rows();
      expect(applied).to.have.length(total);
      expect(applied.filter((row) => row.times !== 1)).to.deep.equal([]);
    });

    it("rebuilds while a server's runner keeps projecting new events, applying each once", async () => {
      const { projection, rows } = await countingProjection("rebuilt");
      const server = runner(projection);
      await server.start();
      await appendMany(60, 3);
      await server.waitFor(await head());
      const writes = appendMany(120, 2);
      await runner(projection).rebuild(projection);
      const total = 60 + (await writes).length;
      await server.waitFor(await head());
      const applied = await rows();
      expect(applied).to.have.length(total);
      expect(applied.filter((row) => row.times !== 1)).to.deep.equal([]);
      expect((await checkpointOf("rebuilt"))?.eventsProcessed).to.equal(total);
    });

    it("waitFor resolves once the position is projected, and not before", async () => {
      const { projection, rows } = await countingProjection("waiting");
      const r = runner(projection);
      const [event] = await append({ n: 7 });
      // Not running yet: nothing projects, so waiting times out.
      await expectRejected(r.waitFor(event!.position, 200), UnavailableError);
      expect(await rows()).to.deep.equal([]);
      await r.start();
      await r.waitFor(event!.position);
      expect((await rows()).map((row) => row.event_id)).to.deep.equal([event!.id]);
      // A position already passed resolves at once.
      await r.waitFor(event!.position, 1);
    });
  });
});

async function expectRejected(promise: Promise<unknown>, type: new (...args: never[]) => Error) {
  const outcome = await promise.then(
    () => "resolved",
    (err: unknown) => err,
  );
  expect(outcome).to.be.instanceOf(type);
}
