import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import {
  APPEND_OUTCOME_UNKNOWN,
  comparePositions,
  type EventToAppend,
  type GlobalPosition,
  type RecordedEvent,
  type SubscriptionMessage,
} from "../../../src/infrastructure/eventStore/eventStore.js";
import { EventStoreDbEventStore } from "../../../src/infrastructure/eventStore/eventStoreDb/eventStoreDbEventStore.js";
import { UnavailableError } from "../../../src/shared/errors.js";
import { startEventStoreDbServer, type EventStoreDbTestServer } from "../../support/eventStoreDbServer.js";
import { eventually } from "../../support/eventually.js";
import { describeEventStoreContract } from "./eventStore.contract.js";

describeEventStoreContract("EventStoreDB (protocol test double)", async () => {
  const server = await startEventStoreDbServer();
  const store = await EventStoreDbEventStore.connect(server.connectionString, { resubscribeDelayMs: 20 });
  return {
    store,
    async teardown() {
      await store.close();
      await server.stop();
    },
  };
});

const events = (n: number, type = "Numbered"): EventToAppend[] =>
  Array.from({ length: n }, (_, i) => ({ id: randomUUID(), type, data: { i } }));

/** Runs a subscription in the background and keeps every message it delivers. */
function record(store: EventStoreDbEventStore, after: GlobalPosition | undefined) {
  const controller = new AbortController();
  const messages: SubscriptionMessage[] = [];
  const running = (async () => {
    for await (const message of store.subscribeToAll({ after, signal: controller.signal })) messages.push(message);
  })();
  return {
    messages,
    eventsOf: (stream: string): RecordedEvent[] =>
      messages.flatMap((m) => (m.kind === "event" && m.event.streamName === stream ? [m.event] : [])),
    async stop() {
      controller.abort();
      await running;
    },
  };
}

/** Positions never go back: events strictly after what came before, checkpoints at or after. */
function expectInOrder(messages: readonly SubscriptionMessage[]): void {
  let last: GlobalPosition | undefined;
  for (const m of messages) {
    if (m.kind === "caughtUp") continue;
    const position = m.kind === "event" ? m.event.position : m.position;
    if (last) expect(comparePositions(position, last), m.kind).to.be.at.least(m.kind === "event" ? 1 : 0);
    last = position;
  }
}

const checkpoints = (messages: readonly SubscriptionMessage[]) =>
  messages.flatMap((m) => (m.kind === "checkpoint" ? [m.position] : []));

describe("EventStoreDB adapter against the protocol test double", function () {
  let server: EventStoreDbTestServer;
  let store: EventStoreDbEventStore;
  const dropped: unknown[] = [];
  before(async () => {
    server = await startEventStoreDbServer();
    store = await EventStoreDbEventStore.connect(server.connectionString, {
      resubscribeDelayMs: 20,
      onSubscriptionDropped: (reason) => dropped.push(reason),
    });
  });
  after(async () => {
    await store.close();
    await server.stop();
  });

  it("skips system events in readAll, subscriptions and headPosition", async () => {
    const fromStart = await store.readAll({ maxCount: 1000 });
    expect(fromStart.filter((e) => e.type.startsWith("$"))).to.deep.equal([]);
    const head = (await store.headPosition()) ?? undefined;
    const s = `sys-${randomUUID()}`;
    await store.appendToStream(s, events(1, "A"));
    server.appendSystemEvent();
    const b = await store.appendToStream(s, events(1, "B"));
    server.appendSystemEvent();

    expect((await store.readAll({ after: head, maxCount: 10 })).map((e) => e.type)).to.deep.equal(["A", "B"]);
    expect(comparePositions((await store.headPosition())!, b.position)).to.equal(0);
    const subscription = record(store, head);
    await eventually("caught-up", () => subscription.messages.some((m) => m.kind === "caughtUp"), { timeoutMs: 5000, intervalMs: 10 });
    await subscription.stop();
    const types = subscription.messages.flatMap((m) => (m.kind === "event" ? [m.event.type] : []));
    expect(types).to.deep.equal(["A", "B"]);
  });

  it("keeps both commit and prepare positions: one append shares a commit position", async () => {
    const s = `pos-${randomUUID()}`;
    const result = await store.appendToStream(s, events(3));
    const read = await store.readStream(s);
    const commits = new Set(read.map((e) => e.position.commit));
    expect(commits.size).to.equal(1);
    expect(read[2]!.position.prepare > read[1]!.position.prepare).to.equal(true);
    expect(read[1]!.position.prepare > read[1]!.position.commit).to.equal(true);
    expect(comparePositions(result.position, read[2]!.position)).to.equal(0);
    const viaAll = await store.readAll({ after: read[0]!.position, maxCount: 2 });
    expect(viaAll.map((e) => e.position)).to.deep.equal([read[1]!.position, read[2]!.position]);
  });

  for (const how of ["error", "end"] as const) {
    it(`resubscribes when the server drops the subscription (${how}): nothing lost, nothing twice`, async () => {
      const head = (await store.headPosition()) ?? undefined;
      const s = `drop-${randomUUID()}`;
      const droppedBefore = dropped.length;
      const subscription = record(store, head);
      const first = events(5);
      await store.appendToStream(s, first);
      await eventually("the first events", () => subscription.eventsOf(s).length === 5, { timeoutMs: 5000, intervalMs: 10 });
      server.killSubscriptions(how);
      const second = events(5);
      await store.appendToStream(s, second);
      await eventually("the events appended while dropped", () => subscription.eventsOf(s).length >= 10, { timeoutMs: 5000, intervalMs: 10 });
      await sleep(50);
      await subscription.stop();
      expect(subscription.eventsOf(s).map((e) => e.id)).to.deep.equal([...first, ...second].map((e) => e.id));
      expect(dropped.length).to.be.greaterThan(droppedBefore);
    });
  }

  it("delivers the filtered subscription's checkpoints, past filtered-out events too", async () => {
    const s = `cp-${randomUUID()}`;
    const start = await store.appendToStream(s, events(1));
    // The server checkpoints every 32 events it considers: here the 32nd is a system event.
    await store.appendToStream(s, events(31));
    server.appendSystemEvent();
    const last = await store.appendToStream(s, events(40));
    const subscription = record(store, start.position);
    await eventually("caught-up", () => subscription.messages.some((m) => m.kind === "caughtUp"), { timeoutMs: 5000, intervalMs: 10 });
    await subscription.stop();
    expectInOrder(subscription.messages);
    const [pastSystemEvent, second] = checkpoints(subscription.messages);
    const delivered = subscription.eventsOf(s);
    expect(delivered).to.have.length(71);
    expect(comparePositions(pastSystemEvent!, delivered[30]!.position)).to.equal(1);
    expect(comparePositions(pastSystemEvent!, delivered[31]!.position)).to.equal(-1);
    expect(comparePositions(second!, last.position)).to.equal(-1);
  });

  it("never lets a checkpoint or caught-up overtake buffered events of a slow consumer", async () => {
    const head = (await store.headPosition()) ?? undefined;
    const s = `slow-${randomUUID()}`;
    await store.appendToStream(s, events(1500));
    const controller = new AbortController();
    const iterator = store.subscribeToAll({ after: head, signal: controller.signal })[Symbol.asyncIterator]();
    const messages: SubscriptionMessage[] = [];
    const first = await iterator.next(); // starts the subscription
    if (!first.done) messages.push(first.value);
    await sleep(300); // meanwhile the server sends everything: the adapter must pause and buffer
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      messages.push(r.value);
      if (r.value.kind === "caughtUp") break;
    }
    controller.abort();
    await iterator.return?.();
    expect(messages.at(-1)?.kind).to.equal("caughtUp");
    expect(messages.filter((m) => m.kind === "event")).to.have.length(1500);
    expectInOrder(messages);
    expect(checkpoints(messages)).to.have.length.at.least(40);
  });
});

describe("EventStoreDB adapter: an unreachable server (integration)", function () {
  this.timeout(30_000);
  it("answers appends with a 503 that says the change may have been applied, and reads with a 503", async () => {
    const server = await startEventStoreDbServer();
    const store = await EventStoreDbEventStore.connect(server.connectionString, { resubscribeDelayMs: 20 });
    try {
      await store.appendToStream("up-stream", events(1));
      await server.stop();
      const append = await store.appendToStream("down-stream", events(1)).then(
        () => "succeeded",
        (err: unknown) => err,
      );
      expect(append, `${(append as Error).constructor.name} ${String(append)}`).to.be.instanceOf(UnavailableError);
      expect((append as UnavailableError).message).to.equal(APPEND_OUTCOME_UNKNOWN);
      const read = await store.readStream("up-stream").then(
        () => "succeeded",
        (err: unknown) => err,
      );
      expect(read).to.be.instanceOf(UnavailableError);
    } finally {
      await store.close();
    }
  });
});
