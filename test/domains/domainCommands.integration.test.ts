// The domain service keeps "one hostname:port per user" true across streams, also when a
// step fails halfway or two moves race. Real PostgreSQL event store; no HTTP, no projections.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { DomainCommands, type AddedDomain } from "../../src/domains/domainCommands.js";
import { ABANDONED_RESERVATION_MS, reservationStream, reservationStreamName } from "../../src/domains/hostnameReservation.js";
import { CommandHandler } from "../../src/infrastructure/commandHandling/commandHandler.js";
import {
  APPEND_OUTCOME_UNKNOWN,
  appendInSequence,
  type EventStore,
  type EventToAppend,
  type StreamAppend,
} from "../../src/infrastructure/eventStore/eventStore.js";
import { PostgresEventStore } from "../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { ManualClock } from "../../src/shared/clock.js";
import { ConflictError, UnavailableError } from "../../src/shared/errors.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

type AppendMatch = (stream: string, events: readonly EventToAppend[]) => boolean;

/**
 * The real store, except that the next append matching `match` first runs `action` (another
 * request slipping in) and fails if it throws (a crash or lost connection at that point); with
 * `after`, the append commits first (its answer lost). A multi-stream append matches when one
 * of its streams does. With `atomic` false it appends to several streams in sequence, as the
 * EventStoreDB adapter does.
 */
function intercepting(store: EventStore, atomic: boolean) {
  let next: { match: AppendMatch; action: () => Promise<void>; after: boolean } | undefined;
  const hooked = async <T>(matches: boolean, append: () => Promise<T>): Promise<T> => {
    const hook = matches ? next : undefined;
    if (!hook) return append();
    next = undefined;
    if (!hook.after) await hook.action();
    const result = await append();
    await hook.action();
    return result;
  };
  const appendToStream: EventStore["appendToStream"] = (stream, events, options) =>
    hooked(!!next?.match(stream, events), () => store.appendToStream(stream, events, options));
  const proxy = new Proxy(store, {
    get(target, prop) {
      if (prop === "appendToStream") return appendToStream;
      if (prop === "atomicMultiStreamAppends") return atomic;
      if (prop === "appendToStreams")
        return (appends: readonly StreamAppend[]) =>
          atomic
            ? hooked(appends.some((a) => next?.match(a.streamName, a.events)), () => store.appendToStreams(appends))
            : appendInSequence(appendToStream, appends);
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store: proxy,
    before: (match: AppendMatch, action: () => Promise<void>) => (next = { match, action, after: false }),
    after: (match: AppendMatch, action: () => Promise<void>) => (next = { match, action, after: true }),
    failNext: (match: AppendMatch) => (next = { match, action: () => Promise.reject(new Error("injected append failure")), after: false }),
  };
}

for (const atomic of [true, false])
describe(`domain commands: hostname reservations across streams, ${atomic ? "one multi-stream append" : "appends in sequence"} (integration)`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let faults: ReturnType<typeof intercepting>;
  let handler: CommandHandler;
  let clock: ManualClock;
  let domains: DomainCommands;

  before(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.connect(db.pool, db.url);
    faults = intercepting(store, atomic);
    clock = new ManualClock(new Date("2026-03-01T00:00:00.000Z"));
    handler = new CommandHandler(faults.store);
    domains = new DomainCommands(handler, clock);
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  const user = () => ({ correlationId: randomUUID(), userId: randomUUID() });
  const newDomain = (hostname: string, port = 443) => ({ hostname, port, notes: null, tags: [] });
  const releaseOf = (ctx: { userId: string }, hostname: string): AppendMatch => (stream, events) =>
    stream === reservationStreamName(ctx.userId, hostname, 443) && events.some((e) => e.type === "HostnameReleased");
  const expectConflict = async (work: Promise<unknown>) => {
    const outcome = await work.then(
      () => "succeeded",
      (err: unknown) => err,
    );
    expect(outcome).to.be.instanceOf(ConflictError);
  };

  const addedTo = (stream: string, events: readonly EventToAppend[]) => stream.startsWith("domain-") && events.some((e) => e.type === "DomainAdded");

  it("releases the hostname at once when a create fails after reserving it", async () => {
    const ctx = user();
    faults.failNext(addedTo);
    const failed = await domains.add(ctx, newDomain("failed-create.example.com")).then(
      () => "succeeded",
      (err: unknown) => err,
    );
    expect(failed).to.be.instanceOf(Error);
    // No 60-second wait: a clean create of the same hostname succeeds right away.
    await domains.add(ctx, newDomain("failed-create.example.com"));
  });

  it("keeps the hostname reserved when a create's outcome is unknown, and its retry by Idempotency-Key completes it", async () => {
    const ctx = { ...user(), idempotencyKey: randomUUID() };
    // The injected failure stands for a lost connection around the commit (a 503): in sequence,
    // after the reservation and before the domain's append; in one append, after its commit.
    (atomic ? faults.after : faults.before)(addedTo, () => Promise.reject(new UnavailableError(APPEND_OUTCOME_UNKNOWN)));
    const failed = await domains.add(ctx, newDomain("in-doubt.example.com")).then(
      () => "succeeded",
      (err: unknown) => err,
    );
    expect(failed).to.be.instanceOf(UnavailableError);
    await expectConflict(domains.add({ ...ctx, idempotencyKey: randomUUID() }, newDomain("in-doubt.example.com")));
    const retried = await domains.add(ctx, newDomain("in-doubt.example.com"));
    const holder = (await handler.load(reservationStreamName(ctx.userId, "in-doubt.example.com", 443), reservationStream)).state;
    expect(holder).to.include({ status: "held", domainId: retried.domainId });
  });

  it("a create that fails leaves the domain stream and the reservation both absent or both there", async () => {
    const ctx = user();
    faults.failNext(addedTo);
    await domains.add(ctx, newDomain("half.example.com")).catch(() => undefined);
    const reservation = await store.readStream(reservationStreamName(ctx.userId, "half.example.com", 443));
    // In sequence the reservation was appended, then released by the failure path.
    expect(reservation.map((e) => e.type)).to.deep.equal(atomic ? [] : ["HostnameReserved", "HostnameReleased"]);
  });

  it("keeps the new hostname reserved when releasing the old one fails after a move", async () => {
    const ctx = user();
    const { domainId } = await domains.add(ctx, newDomain("from.example.com"));
    faults.failNext(releaseOf(ctx, "from.example.com"));
    await domains.update(ctx, domainId, { hostname: "to.example.com" }).catch(() => undefined);
    // The domain moved; a second domain on its new hostname would be a duplicate.
    await expectConflict(domains.add(ctx, newDomain("to.example.com")));
  });

  it("frees a hostname left reserved by a move whose release never happened, after 60 seconds", async () => {
    const ctx = user();
    const { domainId } = await domains.add(ctx, newDomain("left.example.com"));
    faults.failNext(releaseOf(ctx, "left.example.com"));
    await domains.update(ctx, domainId, { hostname: "right.example.com" }).catch(() => undefined);
    // Within the grace period the move might still be in flight: refused.
    await expectConflict(domains.add(ctx, newDomain("left.example.com")));
    clock.advance(ABANDONED_RESERVATION_MS + 1000);
    await domains.add(ctx, newDomain("left.example.com"));
    await expectConflict(domains.add(ctx, newDomain("right.example.com")));
  });

  it("leaves no hostname reserved for good when two moves of one domain race", async () => {
    for (let round = 0; round < 5; round++) {
      const ctx = user();
      const { domainId } = await domains.add(ctx, newDomain("origin.example.com"));
      await Promise.all([
        domains.update(ctx, domainId, { hostname: "one.example.com" }),
        domains.update(ctx, domainId, { hostname: "two.example.com" }),
      ]);
      clock.advance(ABANDONED_RESERVATION_MS + 1000);
      // Whichever move won, the domain holds exactly its final hostname.
      const results = await Promise.allSettled(
        ["origin.example.com", "one.example.com", "two.example.com"].map((h) => domains.add(ctx, newDomain(h))),
      );
      const refused = results.filter((r) => r.status === "rejected");
      expect(refused, `round ${round}`).to.have.length(1);
      expect(refused[0]?.status === "rejected" && refused[0].reason).to.be.instanceOf(ConflictError);
    }
  });

  it("refuses a create slipping into a move onto a hostname the mover held from long ago", async () => {
    const ctx = user();
    const mover = await domains.add(ctx, newDomain("home.example.com"));
    // Given a leftover: the mover holds away.example.com from a move that never happened.
    const away = reservationStreamName(ctx.userId, "away.example.com", 443);
    await handler.handle(away, reservationStream, { type: "Reserve", domainId: mover.domainId, now: clock.now() }, {});
    clock.advance(ABANDONED_RESERVATION_MS + 1000);
    let slipped: unknown;
    faults.before(
      (stream) => stream === `domain-${mover.domainId}`,
      async () => {
        slipped = await domains.add(ctx, newDomain("away.example.com")).then(() => "created", (err: unknown) => err);
      },
    );
    await domains.update(ctx, mover.domainId, { hostname: "away.example.com" });
    expect(slipped).to.be.instanceOf(ConflictError);
  });

  it("still refuses a hostname whose holder is mid-move onto it", async () => {
    const ctx = user();
    const mover = await domains.add(ctx, newDomain("start.example.com"));
    // The mover reserved its target, but its DomainUpdated append failed: nothing moved.
    faults.failNext((stream) => stream.startsWith("domain-"));
    await domains.update(ctx, mover.domainId, { hostname: "target.example.com" }).catch(() => undefined);
    // Its failure path released the target again, so the hostname is free at once...
    await domains.add(ctx, newDomain("target.example.com"));
    // ...and the mover still holds its own hostname.
    await expectConflict(domains.add(ctx, newDomain("start.example.com")));
  });

  describe("addMany (POST /domains/bulk)", () => {
    const outcomeOf = (o: AddedDomain | ConflictError) => (o instanceof ConflictError ? "conflict" : "added");

    it("answers each row: a conflict mid-chunk falls back to that row alone, the others are appended together", async () => {
      const ctx = user();
      const taken = await domains.add(ctx, newDomain("taken.example.com"));
      const freed = await domains.add(ctx, newDomain("freed.example.com"));
      await domains.remove(ctx, freed.domainId);
      const outcomes = await domains.addMany(ctx, ["a.example.com", "taken.example.com", "b.example.com", "freed.example.com", "c.example.com"].map((h) => newDomain(h)));
      expect(outcomes.map(outcomeOf)).to.deep.equal(["added", "conflict", "added", "added", "added"]);
      const added = outcomes.filter((o): o is AddedDomain => !(o instanceof ConflictError));
      expect(new Set(added.map((o) => o.domainId)).size).to.equal(4);
      expect(added.map((o) => o.domainId)).not.to.include(taken.domainId);
      // The freed hostname's reservation stream existed: its row went on its own, the rest in one commit.
      const commits = new Set(added.map((o) => o.position!.commit));
      expect(commits.size).to.equal(atomic ? 2 : 4);
      const { state } = await handler.load(reservationStreamName(ctx.userId, "freed.example.com", 443), reservationStream);
      expect(state).to.include({ status: "held", domainId: (outcomes[3] as AddedDomain).domainId });
    });

    it("adds each hostname once when bulk adds with overlapping hostnames run at once; every row is answered", async () => {
      const ctx = user();
      const hosts = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => newDomain(`overlap-${from + i}.example.com`));
      const [first, second, third] = await Promise.all([domains.addMany(ctx, hosts(0, 60)), domains.addMany(ctx, hosts(30, 90)), domains.addMany(ctx, hosts(50, 70))]);
      expect(first.length + second.length + third.length).to.equal(140);
      const added = [...first, ...second, ...third].filter((o): o is AddedDomain => !(o instanceof ConflictError));
      expect(added).to.have.length(90);
      for (let i = 0; i < 90; i++) {
        const { state } = await handler.load(reservationStreamName(ctx.userId, `overlap-${i}.example.com`, 443), reservationStream);
        expect(state.status, `overlap-${i}`).to.equal("held");
        expect(added.map((o) => o.domainId)).to.include((state as { domainId: string }).domainId);
      }
    });
  });

  it("reserves a hostname that was reserved before (its stream exists) once its domain is removed, and refuses it while held", async () => {
    const ctx = user();
    const first = await domains.add(ctx, newDomain("again.example.com"));
    await expectConflict(domains.add(ctx, newDomain("again.example.com")));
    await domains.remove(ctx, first.domainId);
    const second = await domains.add(ctx, newDomain("again.example.com"));
    const { state } = await handler.load(reservationStreamName(ctx.userId, "again.example.com", 443), reservationStream);
    expect(state).to.include({ status: "held", domainId: second.domainId });
  });
});
