// Commands carrying an Idempotency-Key, on both event stores: a retry finds what the first
// attempt appended (ids derived from the key) and neither acts again nor fails where acting
// again would (a second delete). Concurrent attempts with one key converge on one write.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { DomainCommands } from "../../src/domains/domainCommands.js";
import { domainStreamName } from "../../src/domains/events.js";
import { CommandHandler } from "../../src/infrastructure/commandHandling/commandHandler.js";
import { comparePositions, type EventStore } from "../../src/infrastructure/eventStore/eventStore.js";
import { EventStoreDbEventStore } from "../../src/infrastructure/eventStore/eventStoreDb/eventStoreDbEventStore.js";
import { PostgresEventStore } from "../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { ManualClock } from "../../src/shared/clock.js";
import { createTestDatabase } from "../support/database.js";
import { startEventStoreDbServer } from "../support/eventStoreDbServer.js";

interface Fixture {
  readonly store: EventStore;
  teardown(): Promise<void>;
}

const stores: Record<string, () => Promise<Fixture>> = {
  PostgreSQL: async () => {
    const db = await createTestDatabase();
    const store = await PostgresEventStore.connect(db.pool, db.url);
    return { store, teardown: async () => (await store.close(), await db.drop()) };
  },
  "EventStoreDB (protocol test double)": async () => {
    const server = await startEventStoreDbServer();
    const store = await EventStoreDbEventStore.connect(server.connectionString, { resubscribeDelayMs: 20 });
    return { store, teardown: async () => (await store.close(), await server.stop()) };
  },
};

for (const [label, setup] of Object.entries(stores)) {
  describe(`commands retried by Idempotency-Key: ${label} (integration)`, () => {
    let fixture: Fixture;
    let domains: DomainCommands;
    before(async () => {
      fixture = await setup();
      domains = new DomainCommands(new CommandHandler(fixture.store), new ManualClock(new Date("2026-03-01T00:00:00Z")));
    });
    after(async () => fixture?.teardown());

    const keyed = () => ({ correlationId: randomUUID(), userId: randomUUID(), idempotencyKey: randomUUID() });
    const newDomain = (hostname: string) => ({ hostname, port: 443, notes: null, tags: [] });
    const types = async (domainId: string) => (await fixture.store.readStream(domainStreamName(domainId))).map((e) => e.type);

    it("adds once: the retry names the same domain and its position", async () => {
      const ctx = keyed();
      const first = await domains.add(ctx, newDomain("retry.example.com"));
      const retry = await domains.add(ctx, newDomain("retry.example.com"));
      expect(retry.domainId).to.equal(first.domainId);
      expect(comparePositions(retry.position!, first.position!)).to.equal(0);
      expect(await types(first.domainId)).to.deep.equal(["DomainAdded"]);
    });

    it("removes once: the retry succeeds (not 'not found') and appends nothing", async () => {
      const owner = keyed();
      const { domainId } = await domains.add(owner, newDomain("remove.example.com"));
      const ctx = { ...owner, idempotencyKey: randomUUID() };
      const first = await domains.remove(ctx, domainId);
      const retry = await domains.remove(ctx, domainId);
      // The removal's own position (the first attempt also waited for its reservation's release).
      expect(retry).not.to.equal(null);
      expect(comparePositions(retry!, first!)).to.be.at.most(0);
      expect(await types(domainId)).to.deep.equal(["DomainAdded", "DomainRemoved"]);
    });

    it("converges when attempts with one key run at once: one domain", async () => {
      const ctx = keyed();
      const results = await Promise.all([1, 2, 3].map(() => domains.add(ctx, newDomain("race.example.com"))));
      expect(new Set(results.map((r) => r.domainId)).size).to.equal(1);
      expect(await types(results[0]!.domainId)).to.deep.equal(["DomainAdded"]);
    });

    it("acts again for a different key, as for a different request", async () => {
      const ctx = keyed();
      const first = await domains.add(ctx, newDomain("first.example.com"));
      const other = await domains.add({ ...ctx, idempotencyKey: randomUUID() }, newDomain("second.example.com"));
      expect(other.domainId).not.to.equal(first.domainId);
    });
  });
}
