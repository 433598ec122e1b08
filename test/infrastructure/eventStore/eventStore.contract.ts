// The behaviour every EventStore adapter must show. Each adapter's integration test calls
// describeEventStoreContract with a factory; the suite uses fresh stream names per test so
// one store serves the whole suite.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import {
  comparePositions,
  WrongExpectedVersionError,
  type EventStore,
  type EventToAppend,
  type GlobalPosition,
  type RecordedEvent,
  type SubscriptionMessage,
} from "../../../src/infrastructure/eventStore/eventStore.js";

export interface EventStoreFixture {
  readonly store: EventStore;
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
