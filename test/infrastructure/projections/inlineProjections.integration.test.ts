// Inline projections on the PostgreSQL store: an append's events reach the domains read model
// in the append's own transaction, so a write waits for no projector; rows the projector has
// not caught up with are never patched over a gap; a failing inline projection never costs the
// append; and what the projector later applies again changes nothing (rebuild equals inline).
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Knex } from "knex";
import { domainsProjection } from "../../../projections/domains.js";
import { allProjections } from "../../../projections/index.js";
import { DomainCommands } from "../../../src/domains/domainCommands.js";
import { CommandHandler } from "../../../src/infrastructure/commandHandling/commandHandler.js";
import { systemClock } from "../../../src/shared/clock.js";
import { checkHistoryProjection } from "../../../projections/checkHistory.js";
import { domainHistory, encodeAll } from "../../../bench/support/domainHistory.js";
import { written } from "../../../src/infrastructure/commandHandling/written.js";
import { domainStream } from "../../../src/domains/domainStream.js";
import { StreamConflictsError, WrongExpectedVersionError, type EventStore } from "../../../src/infrastructure/eventStore/eventStore.js";
import { PostgresEventStore } from "../../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { createKnex, migrateReadModels } from "../../../src/infrastructure/postgres/knex.js";
import { withInlineProjections } from "../../../src/infrastructure/projections/inlineProjections.js";
import { defineProjection, type Projection } from "../../../src/infrastructure/projections/projection.js";
import { ProjectionRunner } from "../../../src/infrastructure/projections/projectionRunner.js";
import { UnavailableError } from "../../../src/shared/errors.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { snapshot } from "../../support/readModels.js";
import { describeEventStoreContract } from "../eventStore/eventStore.contract.js";

describeEventStoreContract("PostgreSQL with inline projections", async () => {
  const db = await createTestDatabase();
  const knex = createKnex(db.url);
  await migrateReadModels(knex);
  const plain = await PostgresEventStore.connect(db.pool, db.url, { pollIntervalMs: 50 });
  return {
    store: withInlineProjections(plain, knex, [domainsProjection]),
    narrowsReads: true,
    async teardown() {
      await plain.close();
      await knex.destroy();
      await db.drop();
    },
  };
});

const history = (events = 40) =>
  domainHistory({ userId: randomUUID(), hostname: `inline-${randomUUID().slice(0, 8)}.example`, events, certDays: 12, start: new Date("2026-01-01T00:00:00Z") });

describe("inline projections on the PostgreSQL event store (integration)", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let knex: Knex;
  let plain: PostgresEventStore;
  let store: EventStore;
  const failures: string[] = [];
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    knex = createKnex(db.url);
    await migrateReadModels(knex);
    plain = await PostgresEventStore.connect(db.pool, db.url);
    failures.length = 0;
    store = withInlineProjections(plain, knex, [domainsProjection, checkHistoryProjection], (name) => failures.push(name));
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await plain.close();
    await knex.destroy();
    await db.drop();
  });

  const runner = (projections: Projection[]) => {
    const r = new ProjectionRunner(knex, plain, projections);
    runners.push(r);
    return r;
  };
  const domainRow = async (id: string) => (await knex("domains").where({ id }).first()) as Record<string, unknown> | undefined;

  it("has the domains read model take every event of the domain stream, so a row's stream_revision is its stream's", () => {
    expect([...domainsProjection.eventTypes].sort()).to.deep.equal([...domainStream.codec.types].sort());
  });

  it("projects each append in its own transaction: with no projector running, the rows equal a rebuild's, and replaying changes nothing", async () => {
    const histories = [history(), history(25), history(60)];
    for (const h of histories) {
      const encoded = encodeAll(h.events);
      for (let i = 0; i < encoded.length; i += 3) {
        const result = await store.appendToStream(h.streamName, encoded.slice(i, i + 3), { expectedRevision: i === 0 ? "no_stream" : BigInt(i - 1) });
        // check_history reads checks: not inline, so not up to date when the append held one.
        expect(result.upToDate).to.include("domains");
        const checks = encoded.slice(i, i + 3).some((e) => checkHistoryProjection.eventTypes.has(e.type));
        expect(result.upToDate!.includes("check_history")).to.equal(!checks);
      }
      const row = await domainRow(h.domainId);
      expect(row?.stream_revision).to.equal(String(h.events.length - 1));
    }
    const inline = await snapshot(knex, domainsProjection);
    await runner([domainsProjection]).catchUp();
    expect(await snapshot(knex, domainsProjection), "the projector applying it all again").to.deep.equal(inline);
    await runner([domainsProjection]).rebuild(domainsProjection);
    expect(await snapshot(knex, domainsProjection), "a rebuild").to.deep.equal(inline);
    expect(failures).to.deep.equal([]);
  });

  it("never patches a row over a gap: an event the projector has not applied yet leaves the inline write to wait for it", async () => {
    const h = history(6);
    const [added, second, third, ...rest] = encodeAll(h.events);
    // Appended without inline projection (as before this change, or by another store): no row.
    await plain.appendToStream(h.streamName, [added!], { expectedRevision: "no_stream" });
    const afterGap = await store.appendToStream(h.streamName, [second!], { expectedRevision: 0n });
    expect(afterGap.upToDate).not.to.include("domains");
    expect(await domainRow(h.domainId)).to.equal(undefined);

    await runner([domainsProjection]).catchUp();
    expect((await domainRow(h.domainId))?.stream_revision).to.equal("1");
    // Now a gap in the middle: revision 2 without inline, then 3 inline.
    await plain.appendToStream(h.streamName, [third!], { expectedRevision: 1n });
    const overGap = await store.appendToStream(h.streamName, [rest[0]!], { expectedRevision: 2n });
    expect(overGap.upToDate).not.to.include("domains");
    expect((await domainRow(h.domainId))?.stream_revision, "the row stays where the projector left it").to.equal("1");

    await runner([domainsProjection]).catchUp();
    expect((await domainRow(h.domainId))?.stream_revision).to.equal("3");
    // Contiguous again: inline once more, and the rows are a rebuild's.
    expect((await store.appendToStream(h.streamName, [rest[1]!], { expectedRevision: 3n })).upToDate).to.include("domains");
    expect((await domainRow(h.domainId))?.stream_revision).to.equal("4");
    const inline = await snapshot(knex, domainsProjection);
    await runner([domainsProjection]).rebuild(domainsProjection);
    expect(await snapshot(knex, domainsProjection)).to.deep.equal(inline);
  });

  it("appends even when an inline projection fails, rolling back only that projection's writes; the write then waits for the projector", async () => {
    await knex.schema.createTable("test_failing", (t) => {
      t.text("id").primary();
    });
    const failing = defineProjection({
      name: "failing",
      tables: ["test_failing"],
      codec: domainStream.codec,
      eventTypes: ["DomainAdded"],
      applyBatch: async () => undefined,
      applyInline: async (trx) => {
        await trx.raw("insert into test_failing (id) values ('written before the failure')");
        throw new Error("inline projection bug");
      },
    });
    const withFailing = withInlineProjections(plain, knex, [failing, domainsProjection], (name) => failures.push(name));
    const h = history(1);
    const result = await withFailing.appendToStream(h.streamName, encodeAll(h.events), { expectedRevision: "no_stream" });
    expect(failures).to.deep.equal(["failing"]);
    expect(result.upToDate).to.include("domains").and.not.include("failing");
    expect(await knex("test_failing")).to.deep.equal([]);
    expect(await plain.readStream(h.streamName)).to.have.length(1);
    expect((await domainRow(h.domainId))?.hostname).to.equal((h.events[0]!.data as { hostname: string }).hostname);
  });

  it("writes nothing, events or rows, when a multi-stream append conflicts; and reports a single stream's conflict as WrongExpectedVersionError", async () => {
    const [a, b] = [history(1), history(1)];
    await store.appendToStream(a.streamName, encodeAll(a.events), { expectedRevision: "no_stream" });
    try {
      await store.appendToStreams([
        { streamName: b.streamName, events: encodeAll(b.events), expectedRevision: "no_stream" },
        { streamName: a.streamName, events: encodeAll(a.events), expectedRevision: "no_stream" },
      ]);
      expect.fail("expected a conflict");
    } catch (err) {
      expect(err).to.be.instanceOf(StreamConflictsError);
      expect((err as StreamConflictsError).conflicts.map((c) => c.streamName)).to.deep.equal([a.streamName]);
    }
    expect(await plain.readStream(b.streamName)).to.deep.equal([]);
    expect(await domainRow(b.domainId)).to.equal(undefined);
    const again = store.appendToStream(a.streamName, encodeAll(a.events), { expectedRevision: "no_stream" });
    await again.then(
      () => expect.fail("expected a conflict"),
      (err: unknown) => expect(err).to.be.instanceOf(WrongExpectedVersionError),
    );
    const both = await store.appendToStreams([{ streamName: b.streamName, events: encodeAll(b.events), expectedRevision: "no_stream" }]);
    expect(both[0]!.upToDate).to.include("domains");
    expect(await domainRow(b.domainId)).not.to.equal(undefined);
  });

  it("lets read-your-writes skip the projections a write is up to date with, and only those", async () => {
    const r = runner([domainsProjection, checkHistoryProjection]);
    const h = history(1);
    const result = await store.appendToStream(h.streamName, encodeAll(h.events), { expectedRevision: "no_stream" });
    // The runner is not started: no projector will ever get there.
    await r.waitFor(written(result.position, ["DomainAdded"], result.upToDate!), 200);
    const err = await r.waitFor(written(result.position, ["DomainAdded"]), 200).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(UnavailableError);
  });

  it("has a domain's create, update and bulk create wait for no projector: the rows are there when the commands return", async () => {
    // Every projection known, none running: a wait for any of them would time out.
    const r = runner([...allProjections]);
    const commands = new DomainCommands(new CommandHandler(withInlineProjections(plain, knex, allProjections)), systemClock);
    const ctx = { userId: randomUUID(), correlationId: randomUUID() };
    const added = await commands.add(ctx, { hostname: "inline.example", port: 443, notes: null, tags: ["a"] });
    await r.waitFor(added.position!, 200);
    expect((await domainRow(added.domainId))?.tags).to.deep.equal(["a"]);
    const updated = await commands.update(ctx, added.domainId, { tags: ["b"], mutedUntil: "2027-01-01T00:00:00.000Z" });
    await r.waitFor(updated.position!, 200);
    expect((await domainRow(added.domainId))?.tags).to.deep.equal(["b"]);
    const many = await commands.addMany(ctx, Array.from({ length: 30 }, (_, i) => ({ hostname: `bulk${i}.example`, port: 443, notes: null, tags: [] })));
    for (const outcome of many) {
      if (!("domainId" in outcome)) expect.fail(String(outcome));
      await r.waitFor(outcome.position!, 200);
      expect(await domainRow(outcome.domainId)).not.to.equal(undefined);
    }
  });

  it("commits concurrent appends together (group commit), each caller getting its own result, conflict or rows", async () => {
    const r = runner([domainsProjection]);
    const [taken, ...fresh] = Array.from({ length: 40 }, () => history(1));
    await store.appendToStream(taken!.streamName, encodeAll(taken!.events), { expectedRevision: "no_stream" });
    // 40 at once: 39 new domains and one that conflicts (its stream exists already).
    const outcomes = await Promise.allSettled(
      [taken!, ...fresh].map((h) => store.appendToStreams([{ streamName: h.streamName, events: encodeAll(h.events), expectedRevision: "no_stream" }])),
    );
    expect(outcomes[0]!.status).to.equal("rejected");
    expect((outcomes[0] as PromiseRejectedResult).reason).to.be.instanceOf(StreamConflictsError);
    for (const [i, h] of fresh.entries()) {
      const outcome = outcomes[i + 1]!;
      if (outcome.status === "rejected") throw outcome.reason;
      const [result] = outcome.value;
      expect(result!.upToDate).to.include("domains");
      // No projector runs: the row is there because the append's transaction wrote it.
      await r.waitFor(written(result!.position, ["DomainAdded"], result!.upToDate!), 200);
      expect((await domainRow(h.domainId))?.hostname).to.equal((h.events[0]!.data as { hostname: string }).hostname);
      expect(await plain.readStream(h.streamName)).to.have.length(1);
    }
    const { rows } = await db.pool.query<{ n: number }>(
      "select count(distinct transaction_id)::int as n from eventstore.events where stream_name = any($1)",
      [fresh.map((h) => h.streamName)],
    );
    expect(rows[0]!.n).to.be.below(fresh.length);
    expect(await plain.readStream(taken!.streamName)).to.have.length(1);
    expect(failures).to.deep.equal([]);
  });

  it("keeps rows right when inline appends race one another and the live projector on one domain", async () => {
    const r = runner([domainsProjection]);
    await r.start();
    const h = history(80);
    const [added, ...later] = encodeAll(h.events);
    await store.appendToStream(h.streamName, [added!], { expectedRevision: "no_stream" });
    // Eight writers appending one event each at the end of the stream, in whatever order they
    // get the stream's head: every revision is a different event, so the final row must be the fold
    // of the whole stream as appended, whatever the projector saw in between.
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < later.length) await store.appendToStream(h.streamName, [later[next++]!], { expectedRevision: "any" });
      }),
    );
    const head = await plain.headPosition();
    await r.waitFor(head!);
    const live = await snapshot(knex, domainsProjection);
    await r.rebuild(domainsProjection);
    expect(await snapshot(knex, domainsProjection)).to.deep.equal(live);
    expect((await domainRow(h.domainId))?.stream_revision).to.equal(String(h.events.length - 1));
    expect(failures).to.deep.equal([]);
  });
});
