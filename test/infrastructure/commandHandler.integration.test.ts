// The one command handler on a real PostgreSQL event store: what it reads to decide, and what
// it appends.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { CommandHandler } from "../../src/infrastructure/commandHandling/commandHandler.js";
import { PostgresSnapshotStore } from "../../src/infrastructure/commandHandling/snapshotStore.js";
import type { EventStore, ReadStreamOptions } from "../../src/infrastructure/eventStore/eventStore.js";
import { PostgresEventStore } from "../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { domainStream } from "../../src/domains/domainStream.js";
import { ConflictError } from "../../src/shared/errors.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/** Counts the stream reads the handler makes (and the revisions it starts them from). */
function countingReads(store: EventStore) {
  const reads: (bigint | undefined)[] = [];
  const counted: EventStore = Object.create(store) as EventStore;
  counted.readStream = (name: string, options?: ReadStreamOptions) => {
    reads.push(options?.fromRevision);
    return store.readStream(name, options);
  };
  return { counted, reads };
}

describe("command handler (integration)", () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let snapshots: PostgresSnapshotStore;
  before(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.connect(db.pool, db.url);
    snapshots = await PostgresSnapshotStore.create(db.pool);
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  const add = (domainId: string) => ({
    type: "AddDomain" as const,
    domainId,
    userId: randomUUID(),
    hostname: "handled.example.com",
    port: 443,
    notes: null,
    tags: [],
    now: new Date(),
  });

  it("decides on a new stream without reading it", async () => {
    const { counted, reads } = countingReads(store);
    const handler = new CommandHandler(counted, snapshots);
    const domainId = randomUUID();
    const result = await handler.handle(`domain-${domainId}`, domainStream, add(domainId), {}, { newStream: true });
    expect(result.events.map((e) => e.type)).to.deep.equal(["DomainAdded"]);
    expect(reads).to.deep.equal([]);
  });

  it("falls back to reading when a 'new' stream exists after all, and decides on what is there", async () => {
    const handler = new CommandHandler(store, snapshots);
    const domainId = randomUUID();
    await handler.handle(`domain-${domainId}`, domainStream, add(domainId), {});
    let error: unknown;
    await handler.handle(`domain-${domainId}`, domainStream, add(domainId), {}, { newStream: true }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConflictError);
    expect(await store.readStream(`domain-${domainId}`)).to.have.length(1);
  });

  it("reads a long stream from its latest snapshot, not from the start", async () => {
    const domainId = randomUUID();
    const stream = `domain-${domainId}`;
    const plain = new CommandHandler(store, snapshots);
    const added = add(domainId);
    await plain.handle(stream, domainStream, added, {});
    for (let i = 0; i < 45; i++) {
      await plain.handle(stream, domainStream, { type: "UpdateDomain", userId: added.userId, changes: { notes: `n${i}` }, now: new Date() }, {});
    }
    await new Promise((r) => setTimeout(r, 100)); // snapshots are saved off the command's path
    const { counted, reads } = countingReads(store);
    const result = await new CommandHandler(counted, snapshots).handle(
      stream,
      domainStream,
      { type: "UpdateDomain", userId: added.userId, changes: { notes: "last" }, now: new Date() },
      {},
    );
    expect(result.state.domain.status === "monitored" && result.state.domain.notes).to.equal("last");
    expect(reads).to.have.length(1);
    expect(Number(reads[0])).to.be.at.least(40);
  });
});
