// The behaviour every EventStore adapter must show. Each adapter's integration test calls
// describeEventStoreContract with a factory; the suite uses fresh stream names per test so
// one store serves the whole suite.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import {
  comparePositions,
  StreamConflictsError,
  WrongExpectedVersionError,
  type EventStore,
  type EventToAppend,
  type GlobalPosition,
  type RecordedEvent,
  type SubscriptionMessage,
} from "../../../src/infrastructure/eventStore/eventStore.js";

export interface EventStoreFixture {
  readonly store: EventStore;
  /** The store narrows reads (SubscribeToAllOptions.narrow) rather than sending whole events. */
  readonly narrowsReads?: boolean;
  teardown(): Promise<void>;
}

const event = (type = "Something", data: unknown = { n: 1 }): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: randomUUID(), userId: "u-1" },
});

const stream = () => `test-${randomUUID().replaceAll("-", "")}`;

async function expectWrongVersion(p: Promise<unknown>, actual: bigint | "no_stream") {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(WrongExpectedVersionError);
    expect((err as WrongExpectedVersionError).actual).to.equal(actual);
    return;
  }
  expect.fail("expected a WrongExpectedVersionError");
}

/**
 * The global log after `after` once it holds `count` events (or what it holds after 10 s).
 * A store may publish committed events a moment later (PostgreSQL waits for every older
 * transaction on the server to finish); the order it then shows is what is asserted.
 */
export async function readAllEventually(store: EventStore, after: GlobalPosition | undefined, count: number): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 10_000;
  while (true) {
    const events = await store.readAll({ after, maxCount: 100 });
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collects subscription messages until `until` says stop (or a timeout fails the test). */
async function collect(
  store: EventStore,
  after: GlobalPosition | undefined,
  until: (events: RecordedEvent[], caughtUp: boolean) => boolean,
  onCaughtUp?: () => Promise<void>,
  eventTypes?: readonly string[],
): Promise<RecordedEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const events: RecordedEvent[] = [];
  let caughtUp = false;
  try {
    for await (const msg of store.subscribeToAll({ after, signal: controller.signal, ...(eventTypes ? { eventTypes } : {}) }) as AsyncIterable<SubscriptionMessage>) {
      if (msg.kind === "event") events.push(msg.event);
      if (msg.kind === "caughtUp" && !caughtUp) {
        caughtUp = true;
        await onCaughtUp?.();
      }
      if (until(events, caughtUp)) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  if (!until(events, caughtUp)) expect.fail(`subscription ended early with ${events.length} events`);
  return events;
}

export function describeEventStoreContract(label: string, setup: () => Promise<EventStoreFixture>): void {
  describe(`EventStore contract: ${label}`, function () {
    let fixture: EventStoreFixture;
    let store: EventStore;
    before(async function () {
      fixture = await setup();
      store = fixture.store;
    });
    after(async () => fixture?.teardown());

    describe("append with expected revision", () => {
      it("creates a stream with no_stream and rejects a second no_stream", async () => {
        const s = stream();
        const first = await store.appendToStream(s, [event()], { expectedRevision: "no_stream" });
        expect(first.nextExpectedRevision).to.equal(0n);
        await expectWrongVersion(store.appendToStream(s, [event()], { expectedRevision: "no_stream" }), 0n);
      });

      it("appends at the exact revision and reports the actual one otherwise", async () => {
        const s = stream();
        await store.appendToStream(s, [event(), event()], { expectedRevision: "no_stream" });
        const r = await store.appendToStream(s, [event()], { expectedRevision: 1n });
        expect(r.nextExpectedRevision).to.equal(2n);
        await expectWrongVersion(store.appendToStream(s, [event()], { expectedRevision: 1n }), 2n);
        expect(await store.readStream(s)).to.have.length(3);
      });

      it("stream_exists fails on a missing stream, succeeds on an existing one", async () => {
        const s = stream();
        await expectWrongVersion(store.appendToStream(s, [event()], { expectedRevision: "stream_exists" }), "no_stream");
        expect(await store.readStream(s)).to.deep.equal([]);
        await store.appendToStream(s, [event()]);
        const r = await store.appendToStream(s, [event()], { expectedRevision: "stream_exists" });
        expect(r.nextExpectedRevision).to.equal(1n);
      });

      it("an exact revision on a missing stream reports no_stream", async () => {
        await expectWrongVersion(store.appendToStream(stream(), [event()], { expectedRevision: 0n }), "no_stream");
      });

      it("any appends regardless of the head", async () => {
        const s = stream();
        await store.appendToStream(s, [event()], { expectedRevision: "any" });
        const r = await store.appendToStream(s, [event()], { expectedRevision: "any" });
        expect(r.nextExpectedRevision).to.equal(1n);
      });

      it("lets exactly one of many concurrent writers at the same revision win", async () => {
        const s = stream();
        await store.appendToStream(s, [event()], { expectedRevision: "no_stream" });
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, () => store.appendToStream(s, [event()], { expectedRevision: 0n })),
        );
        expect(results.filter((r) => r.status === "fulfilled")).to.have.length(1);
        for (const r of results.filter((r) => r.status === "rejected"))
          expect((r as PromiseRejectedResult).reason).to.be.instanceOf(WrongExpectedVersionError);
        expect(await store.readStream(s)).to.have.length(2);
      });

      it("treats a retried append (same event ids) as already done", async () => {
        const s = stream();
        const batch = [event(), event()];
        const first = await store.appendToStream(s, batch, { expectedRevision: "no_stream" });
        const retry = await store.appendToStream(s, batch, { expectedRevision: "no_stream" });
        expect(retry.nextExpectedRevision).to.equal(first.nextExpectedRevision);
        expect(comparePositions(retry.position, first.position)).to.equal(0);
        expect(await store.readStream(s)).to.have.length(2);
      });
    });

    describe("appending to several streams at once", () => {
      async function expectConflicts(p: Promise<unknown>): Promise<StreamConflictsError> {
        try {
          await p;
        } catch (err) {
          expect(err).to.be.instanceOf(StreamConflictsError);
          return err as StreamConflictsError;
        }
        return expect.fail("expected a StreamConflictsError");
      }

      it("appends to each stream at its expected revision, in the order given, one result per append", async () => {
        const [existing, fresh, other] = [stream(), stream(), stream()];
        const head = (await store.headPosition()) ?? undefined;
        await store.appendToStream(existing, [event("Old")], { expectedRevision: "no_stream" });
        const results = await store.appendToStreams([
          { streamName: fresh, events: [event("A1"), event("A2")], expectedRevision: "no_stream" },
          { streamName: existing, events: [event("B")], expectedRevision: 0n },
          { streamName: other, events: [event("C")] },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).to.deep.equal([1n, 1n, 0n]);
        expect(comparePositions(results[0]!.position, results[1]!.position)).to.equal(-1);
        expect(comparePositions(results[1]!.position, results[2]!.position)).to.equal(-1);
        expect((await store.readStream(fresh)).map((e) => e.type)).to.deep.equal(["A1", "A2"]);
        expect((await store.readStream(existing)).map((e) => [e.type, e.revision])).to.deep.equal([["Old", 0n], ["B", 1n]]);
        const [last] = await store.readStream(fresh, { direction: "backwards", maxCount: 1 });
        expect(comparePositions(last!.position, results[0]!.position)).to.equal(0);
        expect((await readAllEventually(store, head, 5)).map((e) => e.type)).to.deep.equal(["Old", "A1", "A2", "B", "C"]);
      });

      it("refuses a wrong expectation: atomic stores append nothing and name every conflict; sequential ones stop at the first", async () => {
        const [taken, fresh, alsoTaken, last] = [stream(), stream(), stream(), stream()];
        await store.appendToStream(taken, [event()], { expectedRevision: "no_stream" });
        await store.appendToStream(alsoTaken, [event(), event()], { expectedRevision: "no_stream" });
        const err = await expectConflicts(
          store.appendToStreams([
            { streamName: fresh, events: [event()], expectedRevision: "no_stream" },
            { streamName: taken, events: [event()], expectedRevision: "no_stream" },
            { streamName: alsoTaken, events: [event()], expectedRevision: 0n },
            { streamName: last, events: [event()], expectedRevision: "no_stream" },
          ]),
        );
        expect(await store.readStream(last)).to.deep.equal([]);
        expect((await store.readStream(taken)).length).to.equal(1);
        expect((await store.readStream(alsoTaken)).length).to.equal(2);
        if (store.atomicMultiStreamAppends) {
          expect(err.applied).to.equal(0);
          expect(err.conflicts.map((c) => [c.streamName, c.expected, c.actual])).to.deep.equal([
            [taken, "no_stream", 0n],
            [alsoTaken, 0n, 1n],
          ]);
          expect(await store.readStream(fresh)).to.deep.equal([]);
        } else {
          expect(err.applied).to.equal(1);
          expect(err.conflicts.map((c) => [c.streamName, c.actual])).to.deep.equal([[taken, 0n]]);
          expect(await store.readStream(fresh)).to.have.length(1);
        }
      });

      it("reports a missing stream as no_stream to stream_exists and exact expectations", async () => {
        const [a, b] = [stream(), stream()];
        const err = await expectConflicts(
          store.appendToStreams([
            { streamName: a, events: [event()], expectedRevision: "stream_exists" },
            { streamName: b, events: [event()], expectedRevision: 0n },
          ]),
        );
        expect(err.conflicts[0]).to.include({ streamName: a, actual: "no_stream" });
        if (store.atomicMultiStreamAppends) expect(err.conflicts[1]).to.include({ streamName: b, actual: "no_stream" });
        expect(await store.readStream(a)).to.deep.equal([]);
      });

      it("treats a retried multi-stream append (same event ids) as done, each stream on its own", async () => {
        const [a, b] = [stream(), stream()];
        const appends = [
          { streamName: a, events: [event(), event()], expectedRevision: "no_stream" as const },
          { streamName: b, events: [event()], expectedRevision: "no_stream" as const },
        ];
        const first = await store.appendToStreams(appends);
        const retry = await store.appendToStreams(appends);
        expect(retry.map((r) => r.nextExpectedRevision)).to.deep.equal(first.map((r) => r.nextExpectedRevision));
        retry.forEach((r, i) => expect(comparePositions(r.position, first[i]!.position)).to.equal(0));
        expect(await store.readStream(a)).to.have.length(2);
        expect(await store.readStream(b)).to.have.length(1);
      });

      it("lets exactly one of concurrent multi-stream appends take a shared new stream; every stream ends consistent", async () => {
        const shared = stream();
        const own = Array.from({ length: 6 }, () => stream());
        const results = await Promise.allSettled(
          own.map((s) =>
            store.appendToStreams([
              { streamName: s, events: [event()], expectedRevision: "no_stream" },
              { streamName: shared, events: [event()], expectedRevision: "no_stream" },
            ]),
          ),
        );
        expect(results.filter((r) => r.status === "fulfilled")).to.have.length(1);
        for (const r of results.filter((r) => r.status === "rejected")) expect((r as PromiseRejectedResult).reason).to.be.instanceOf(StreamConflictsError);
        expect(await store.readStream(shared)).to.have.length(1);
        const ownLengths = await Promise.all(own.map(async (s) => (await store.readStream(s)).length));
        // Sequential stores keep the first append of the losers; atomic ones keep the winner's only.
        expect(ownLengths.filter((n) => n === 1)).to.have.length(store.atomicMultiStreamAppends ? 1 : 6);
      });
    });

    describe("reading a stream", () => {
      it("reads forwards and backwards, from a revision, with a max count", async () => {
        const s = stream();
        await store.appendToStream(s, [0, 1, 2, 3, 4].map((n) => event("Numbered", { n })));
        const n = (es: RecordedEvent[]) => es.map((e) => (e.data as { n: number }).n);
        expect(n(await store.readStream(s))).to.deep.equal([0, 1, 2, 3, 4]);
        expect(n(await store.readStream(s, { fromRevision: 2n }))).to.deep.equal([2, 3, 4]);
        expect(n(await store.readStream(s, { fromRevision: 1n, maxCount: 2 }))).to.deep.equal([1, 2]);
        expect(n(await store.readStream(s, { direction: "backwards", maxCount: 2 }))).to.deep.equal([4, 3]);
        expect(n(await store.readStream(s, { direction: "backwards", fromRevision: 1n }))).to.deep.equal([1, 0]);
      });

      it("returns what was appended: id, type, data, metadata, revision, stream, time", async () => {
        const s = stream();
        const e = event("DomainAdded", { hostname: "example.com", nested: { tags: ["a"] } });
        const before = Date.now();
        await store.appendToStream(s, [e]);
        const [read] = await store.readStream(s);
        expect(read).to.include({ id: e.id, type: "DomainAdded", streamName: s, revision: 0n });
        expect(read!.data).to.deep.equal(e.data);
        expect(read!.metadata).to.deep.include(e.metadata!);
        expect(read!.createdAt.getTime()).to.be.within(before - 5000, Date.now() + 5000);
      });

      it("reads a missing stream as empty", async () => {
        expect(await store.readStream(stream())).to.deep.equal([]);
      });

      it("finds an event of a stream by its id, with its position; not in another stream, not an unknown id", async () => {
        const s = stream();
        const events = [event(), event(), event()];
        const appended = await store.appendToStream(s, events);
        const found = await store.findEvent(s, events[2]!.id);
        expect(found).to.include({ id: events[2]!.id, streamName: s, revision: 2n });
        expect(comparePositions(found!.position, appended.position)).to.equal(0);
        expect(await store.findEvent(stream(), events[0]!.id)).to.equal(null);
        expect(await store.findEvent(s, randomUUID())).to.equal(null);
        expect(await store.findEvent(stream(), randomUUID())).to.equal(null);
      });
    });

    describe("the global log", () => {
      it("reads all events in order, strictly after a position", async () => {
        const head = (await store.headPosition()) ?? undefined;
        const s1 = stream();
        const s2 = stream();
        const a = await store.appendToStream(s1, [event("A")]);
        await store.appendToStream(s2, [event("B"), event("C")]);
        const all = await readAllEventually(store, head, 3);
        expect(all.map((e) => e.type)).to.deep.equal(["A", "B", "C"]);
        for (let i = 1; i < all.length; i++)
          expect(comparePositions(all[i - 1]!.position, all[i]!.position)).to.equal(-1);
        const rest = await store.readAll({ after: a.position, maxCount: 100 });
        expect(rest.map((e) => e.type)).to.deep.equal(["B", "C"]);
        expect(comparePositions((await store.headPosition())!, all[2]!.position)).to.equal(0);
      });

      it("subscription delivers history, reports caught-up, then delivers live events", async () => {
        const head = (await store.headPosition()) ?? undefined;
        const s = stream();
        await store.appendToStream(s, [event("Old1"), event("Old2")]);
        const got = await collect(
          store,
          head,
          (events) => events.some((e) => e.type === "Live"),
          async () => {
            await store.appendToStream(s, [event("Live")]);
          },
        );
        expect(got.filter((e) => e.streamName === s).map((e) => e.type)).to.deep.equal(["Old1", "Old2", "Live"]);
      });

      it("reads, subscribes to and finds the newest of only the event types asked for", async () => {
        const head = (await store.headPosition()) ?? undefined;
        const tag = randomUUID().slice(0, 8);
        const [wanted, other] = [`Wanted${tag}`, `Other${tag}`];
        await store.appendToStream(stream(), [event(wanted, { n: 1 }), event(other), event(wanted, { n: 2 }), event(other)]);
        await readAllEventually(store, head, 4);
        const read = await store.readAll({ after: head, maxCount: 100, eventTypes: [wanted] });
        expect(read.map((e) => (e.data as { n: number }).n)).to.deep.equal([1, 2]);
        expect(comparePositions((await store.headPosition({ eventTypes: [wanted] }))!, read[1]!.position)).to.equal(0);
        expect(await store.headPosition({ eventTypes: [`Never${tag}`] })).to.equal(null);
        const got = await collect(store, head, (events) => events.length >= 2, undefined, [wanted]);
        expect(got.map((e) => e.type)).to.deep.equal([wanted, wanted]);
      });

      it("sends a narrowed type's events at the stored version whole, or with only the kept members and marked; others whole", async () => {
        const head = (await store.headPosition()) ?? undefined;
        const tag = randomUUID().slice(0, 8);
        const [checked, other] = [`Checked${tag}`, `Other${tag}`];
        const result = { kept: 1, nulled: null, left: "x".repeat(3000), nested: { a: [1, 2] } };
        const atVersion = (schemaVersion: number, data: unknown): EventToAppend => ({ ...event(checked, data), metadata: { schemaVersion } });
        const appended = [
          atVersion(2, { id: 1, result }),
          atVersion(1, { id: 2, result }), // older: upcasters may read anything
          atVersion(2, { id: 3, result: { left: "only" } }),
          event(other, { id: 4, result }),
        ];
        await store.appendToStream(stream(), appended);
        await readAllEventually(store, head, appended.length);
        const narrowing = { type: checked, schemaVersion: 2, member: "result", keep: ["kept", "nulled", "nested"] };
        const controller = new AbortController();
        const got: RecordedEvent[] = [];
        for await (const msg of store.subscribeToAll({ ...(head ? { after: head } : {}), signal: controller.signal, eventTypes: [checked, other], narrow: [narrowing] })) {
          if (msg.kind === "event") got.push(msg.event);
          if (got.length === appended.length) break;
        }
        controller.abort();
        const narrowed = [
          { id: 1, result: { kept: 1, nulled: null, nested: { a: [1, 2] } } },
          { id: 3, result: { kept: null, nulled: null, nested: null } }, // kept members it lacks come as null
        ];
        for (const [i, e] of got.entries()) {
          const whole = appended[i]!.data;
          if (e.narrowed) {
            expect(e.narrowed).to.deep.equal(narrowing);
            expect(e.data).to.deep.equal(narrowed[[0, 2].indexOf(i)]);
          } else expect(e.data).to.deep.equal(whole);
        }
        expect(got.filter((e) => e.narrowed).map((e) => (e.data as { id: number }).id)).to.deep.equal(fixture.narrowsReads ? [1, 3] : []);
      });

      it("keeps each stream's events in revision order while concurrent writers append with expectation any, to one stream or several", async () => {
        const head = (await store.headPosition()) ?? undefined;
        const [s1, s2] = [stream(), stream()];
        await store.appendToStreams([
          { streamName: s1, events: [event()] },
          { streamName: s2, events: [event()] },
        ]);
        // Eight writers, each taking the next step: one stream, the other, or both in either
        // order (a PostgreSQL transaction used to take its id before waiting for the stream's
        // head, so the log's transaction-id order put a third of a stream's events before
        // events of lower revisions).
        const steps = 160;
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < steps) {
              const step = next++;
              const streams = [[s1], [s2], [s1, s2], [s2, s1]][step % 4]!;
              if (streams.length === 1) await store.appendToStream(streams[0]!, [event()], { expectedRevision: "any" });
              else await store.appendToStreams(streams.map((streamName) => ({ streamName, events: [event()], expectedRevision: "any" as const })));
            }
          }),
        );
        const total = 2 + steps + steps / 2;
        const all: RecordedEvent[] = [];
        for (let after = head; all.length < total; ) {
          const page = await readAllEventually(store, after, Math.min(100, total - all.length));
          if (page.length === 0) break;
          all.push(...page);
          after = page.at(-1)!.position;
        }
        for (const s of [s1, s2]) {
          const revisions = all.filter((e) => e.streamName === s).map((e) => Number(e.revision));
          expect(revisions).to.deep.equal(revisions.map((_, i) => i));
        }
      });

      it("subscription start position is exclusive", async () => {
        const s = stream();
        const first = await store.appendToStream(s, [event("First")]);
        await store.appendToStream(s, [event("Second")]);
        const got = await collect(store, first.position, (events) => events.length >= 1);
        expect(got[0]!.type).to.equal("Second");
      });
    });
  });
}
