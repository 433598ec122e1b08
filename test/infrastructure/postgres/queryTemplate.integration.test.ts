// QueryTemplate runs a knex-built statement as a named prepared statement: the same rows as
// knex.raw, prepared once per connection, and still answering after its table was swapped for
// one with the columns in another order (as a projection rebuild's shadow table may be).
import { expect } from "chai";
import type { Knex } from "knex";
import { createKnex } from "../../../src/infrastructure/postgres/knex.js";
import { QueryTemplate, QueryTemplates } from "../../../src/infrastructure/postgres/queryTemplate.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

describe("QueryTemplate (integration)", () => {
  let db: TestDatabase;
  let knex: Knex;

  before(async () => {
    db = await createTestDatabase();
    // One connection: what one statement prepared on it shows in pg_prepared_statements.
    knex = createKnex(db.url, { poolMax: 1 });
  });
  beforeEach(async () => {
    await knex.raw("drop table if exists qt_items");
    await knex.raw("create table qt_items (id int primary key, owner text not null, at timestamptz not null)");
    await knex("qt_items").insert([1, 2, 3, 4].map((id) => ({ id, owner: id % 2 ? "a" : "b", at: new Date(Date.UTC(2030, 0, id)) })));
  });
  after(async () => {
    await knex?.destroy();
    await db?.drop();
  });

  const byOwner = () =>
    QueryTemplate.compile(knex, (p) => knex("qt_items").select("*").where({ owner: p.value("owner") }).orderBy("id").limit(p.number("limit")));

  it("returns what knex.raw returns for the same statement, values typed alike", async () => {
    const rows = await byOwner().run<{ id: number; owner: string; at: Date }>({ owner: "a", limit: 10 });
    const raw = (await knex.raw("select * from qt_items where owner = ? order by id limit ?", ["a", 10])) as { rows: unknown[] };
    expect(rows).to.deep.equal(raw.rows);
    expect(rows.map((r) => r.id)).to.deep.equal([1, 3]);
    expect(rows[0]!.at).to.be.instanceOf(Date);
    expect(await byOwner().run({ owner: "b", limit: 1 })).to.have.length(1);
  });

  it("prepares the statement once per connection, under one name for one text", async () => {
    const templates = new QueryTemplates(knex);
    for (let i = 0; i < 3; i++) await templates.get("ids of a", () => knex("qt_items").select("id").where({ owner: "a" })).run({});
    await byOwner().run({ owner: "a", limit: 2 });
    const { rows } = (await knex.raw("select name, statement from pg_prepared_statements order by name")) as { rows: { name: string; statement: string }[] };
    expect(rows.map((r) => r.name)).to.have.length(2);
    for (const r of rows) expect(r.name).to.match(/^qt_[0-9a-f]{24}_0$/);
  });

  it("answers after its table is replaced by one with the columns in another order (prepared anew)", async () => {
    const template = byOwner();
    // Past PostgreSQL's five custom plans, so a generic plan is cached too.
    for (let i = 0; i < 7; i++) await template.run({ owner: "a", limit: 10 });
    await knex.transaction(async (trx) => {
      await trx.raw("create table qt_items_shadow (at timestamptz not null, owner text not null, id int primary key)");
      await trx.raw("insert into qt_items_shadow (id, owner, at) select id, owner, at + interval '1 day' from qt_items");
      await trx.raw("drop table qt_items");
      await trx.raw("alter table qt_items_shadow rename to qt_items");
    });
    const rows = await template.run<{ id: number; owner: string; at: Date }>({ owner: "a", limit: 10 });
    expect(rows.map((r) => [r.id, r.at.toISOString()])).to.deep.equal([
      [1, "2030-01-02T00:00:00.000Z"],
      [3, "2030-01-04T00:00:00.000Z"],
    ]);
    // A failure that is not the row shape is the caller's, not retried.
    await knex.raw("drop table qt_items");
    const err = await template.run({ owner: "a", limit: 10 }).then(() => null, (e: unknown) => e);
    expect((err as { code?: string }).code).to.equal("42P01");
  });
});
