// GET /domains/{id}'s lookup gathers the lookups of one turn of the event loop into one
// statement (a group commit answers its creates at once, and each reads its domain back). Real
// PostgreSQL: domains created through the event store with the domains projection inline.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Knex } from "knex";
import { domainsProjection } from "../../projections/domains.js";
import { domainHistory, encodeAll } from "../../bench/support/domainHistory.js";
import { DomainQueries } from "../../src/domains/domainQueries.js";
import { PostgresEventStore } from "../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import type { EventStore } from "../../src/infrastructure/eventStore/eventStore.js";
import { createKnex, migrateReadModels } from "../../src/infrastructure/postgres/knex.js";
import { withInlineProjections } from "../../src/infrastructure/projections/inlineProjections.js";
import { systemClock } from "../../src/shared/clock.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

describe("DomainQueries.get (integration)", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let knex: Knex;
  let plain: PostgresEventStore;
  let store: EventStore;
  let queries: DomainQueries;
  /** The statements on the domains table since the last call. */
  let domainStatements: string[];
  const onQuery = (q: { sql: string }) => {
    if (/from "domains"/.test(q.sql)) domainStatements.push(q.sql);
  };

  before(async () => {
    db = await createTestDatabase();
    knex = createKnex(db.url);
    await migrateReadModels(knex);
    plain = await PostgresEventStore.connect(db.pool, db.url);
    store = withInlineProjections(plain, knex, [domainsProjection]);
    queries = new DomainQueries(knex, systemClock);
    knex.on("query", onQuery);
  });
  after(async () => {
    knex?.off("query", onQuery);
    await plain?.close();
    await knex?.destroy();
    await db?.drop();
  });
  beforeEach(() => {
    domainStatements = [];
  });

  /** A domain of `userId`'s, in the read model (projected inline with its append). */
  const addDomain = async (userId: string, tags = ["t"]) => {
    const h = domainHistory({ userId, hostname: `q-${randomUUID().slice(0, 8)}.example`, events: 1, certDays: 30, start: new Date() });
    await store.appendToStream(h.streamName, encodeAll(h.events), { expectedRevision: "no_stream" });
    await knex("domains").where({ id: h.domainId }).update({ tags: JSON.stringify(tags) });
    return h.domainId;
  };

  it("answers lookups of one turn with one statement, each only with its own user's live domain", async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const [a1, a2, gone, b1] = [await addDomain(alice, ["a1"]), await addDomain(alice, ["a2"]), await addDomain(alice), await addDomain(bob, ["b1"])];
    await knex("domains").where({ id: gone }).update({ deleted_at: new Date() });
    domainStatements = [];

    const answers = await Promise.all([
      queries.get(alice, a1),
      queries.get(alice, b1), // bob's: as if it did not exist
      queries.get(bob, b1),
      queries.get(alice, randomUUID()),
      queries.get(alice, gone),
      queries.get(alice, a2),
      queries.get(alice, a1), // the same lookup twice in one turn
    ]);

    expect(domainStatements).to.have.length(1);
    expect(answers.map((d) => d?.tags ?? null)).to.deep.equal([["a1"], null, ["b1"], null, null, ["a2"], ["a1"]]);
    expect(answers[0]).to.include({ id: a1, port: 443, status: "pending" });
  });

  it("finds a domain by its id in upper case, as PostgreSQL's uuid type and the routes accept it", async () => {
    const user = randomUUID();
    const id = await addDomain(user);
    const [upper, mixed] = await Promise.all([queries.get(user, id.toUpperCase()), queries.get(user.toUpperCase(), id)]);
    expect(upper?.id).to.equal(id);
    expect(mixed?.id).to.equal(id);
  });

  it("keeps no answer between turns: a lookup after a change sees the change", async () => {
    const user = randomUUID();
    const id = await addDomain(user, ["before"]);
    expect((await queries.get(user, id))?.tags).to.deep.equal(["before"]);
    await knex("domains").where({ id }).update({ tags: JSON.stringify(["after"]) });
    expect((await queries.get(user, id))?.tags).to.deep.equal(["after"]);
    expect(domainStatements).to.have.length(2);
  });

  it("splits more than 100 lookups of one turn into statements of at most 100", async () => {
    const user = randomUUID();
    const id = await addDomain(user);
    domainStatements = [];
    const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => queries.get(user, i % 2 === 0 ? id : randomUUID())));
    expect(domainStatements).to.have.length(2);
    expect(answers.filter((d) => d?.id === id)).to.have.length(75);
    expect(answers.filter((d) => d === null)).to.have.length(75);
  });

  it("plans lookups of one, two or three domains once per connection, not on every lookup (a create's read-back)", async () => {
    const user = randomUUID();
    const id = await addDomain(user);
    // Where plans differ: enough rows (and statistics) that an index scan for ten ids costs
    // more than one for one.
    const { rows: columns } = await knex.raw<{ rows: { name: string }[] }>(
      "select quote_ident(column_name) as name from information_schema.columns where table_name = 'domains' and table_schema = current_schema() and is_generated = 'NEVER'",
    );
    const list = columns.map((c) => c.name).join(", ");
    await knex.raw(
      `insert into domains (${list}) select ${columns.map((c) => `c.${c.name}`).join(", ")}
       from domains d, generate_series(1, 5000) g,
         jsonb_populate_record(d, jsonb_build_object('id', gen_random_uuid(), 'hostname', 'p' || g || '.example')) c
       where d.id = ?`,
      [id],
    );
    await knex.raw("analyze domains");
    const oneConnection = createKnex(db.url, { poolMax: 1 });
    try {
      const own = new DomainQueries(oneConnection, systemClock);
      const others = (await knex("domains").where({ user_id: user }).whereNot({ id }).limit(2).pluck("id")) as string[];
      for (const ids of [[id], [id, others[0]!], [id, ...others]]) {
        for (let i = 0; i < 12; i++) {
          const found = await Promise.all(ids.map((d) => own.get(user, d)));
          expect(found.map((d) => d?.id)).to.deep.equal(ids);
        }
      }
      // PostgreSQL plans a prepared statement for its values 5 times, then keeps its generic
      // plan unless that looks dearer; `id = any($1)` with a short array always looked cheaper.
      const { rows } = await oneConnection.raw<{ rows: { generic_plans: string; custom_plans: string }[] }>(
        "select generic_plans, custom_plans from pg_prepared_statements where statement like '%row_to_json%'",
      );
      // One statement per listed size: 1, 2 and 4 (three ids, the last repeated).
      expect(rows).to.have.length(3);
      for (const r of rows) {
        expect(Number(r.custom_plans)).to.be.at.most(5);
        expect(Number(r.generic_plans)).to.be.at.least(7);
      }
    } finally {
      await oneConnection.destroy();
      await knex("domains").where({ user_id: user }).whereNot({ id }).delete();
    }
  });

  it("fails every lookup of a statement that fails, and the next turn's lookups work again", async () => {
    const user = randomUUID();
    const id = await addDomain(user);
    await knex.raw("alter table domains rename to domains_away");
    try {
      const failed = await Promise.allSettled([queries.get(user, id), queries.get(user, randomUUID())]);
      expect(failed.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
    } finally {
      await knex.raw("alter table domains_away rename to domains");
    }
    expect((await queries.get(user, id))?.id).to.equal(id);
  });
});
