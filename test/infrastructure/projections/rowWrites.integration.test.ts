// Set-based row writes: a batch large enough to travel by COPY (a rebuild's) stores exactly
// what the JSON statement of a small batch stores, whatever its text holds, and a replay of it
// changes nothing.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { Knex } from "knex";
import { createKnex } from "../../../src/infrastructure/postgres/knex.js";
import { COPY_FROM_ROWS, insertRows, readLogFrom, StoredMember, type Row } from "../../../src/infrastructure/projections/rowWrites.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

/** Text COPY must escape (backslash, tab, line ends), a COPY null marker as text, and more. */
const AWKWARD = ["a\\b", "tab\there", "line\nend", "cr\rlf\r\n", "\\N", "", "naïve ✓ 名前", '"quoted"', "\\\\x00"];

function rowsOf(count: number, revision: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
    label: AWKWARD[i % AWKWARD.length]!,
    note: i % 3 === 0 ? null : `note ${i}`,
    doc: { nested: { text: AWKWARD[(i + 1) % AWKWARD.length], list: [1, null, "x\ty"] }, n: i },
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(),
    active: i % 2 === 0,
    revision: String(revision),
  }));
}

describe("row writes (integration)", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let knex: Knex;

  before(async () => {
    db = await createTestDatabase();
    knex = createKnex(db.url);
    for (const table of ["by_copy", "by_json"]) {
      await knex.raw(`create table ${table} (id uuid primary key, label text not null, note text, doc jsonb not null, at timestamptz not null, active boolean not null, revision bigint not null)`);
    }
  });
  after(async () => {
    await knex?.destroy();
    await db?.drop();
  });

  const table = (name: string) => knex(name).orderBy("id");
  /** The rows in one batch (COPY from COPY_FROM_ROWS rows on), or in batches too small for it. */
  const write = (name: string, rows: Row[], onConflict: Parameters<typeof insertRows>[3]["onConflict"], chunk = rows.length) =>
    knex.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += chunk) await insertRows(trx, name, rows.slice(i, i + chunk), { key: ["id"], onConflict });
    });

  it("stores through COPY what the JSON statement stores, and a replayed batch changes nothing", async () => {
    const rows = rowsOf(COPY_FROM_ROWS + 10, 1);
    await write("by_copy", rows, "ignore");
    await write("by_json", rows, "ignore", COPY_FROM_ROWS - 1);
    const stored = await table("by_copy");
    expect(stored).to.have.length(rows.length);
    expect(stored).to.deep.equal(await table("by_json"));
    expect(stored.map((r: { label: string }) => r.label).slice(0, AWKWARD.length)).to.deep.equal(AWKWARD);

    await write("by_copy", rowsOf(COPY_FROM_ROWS + 10, 2), "ignore");
    expect(await table("by_copy")).to.deep.equal(stored);
  });

  it("replaces through COPY only rows that are older by the `newerBy` column", async () => {
    const newer = rowsOf(COPY_FROM_ROWS + 10, 3).map((r) => ({ ...r, label: `v3 ${String(r["label"])}` }));
    await write("by_copy", newer, { newerBy: "revision" });
    const after = (await table("by_copy")) as { label: string; revision: string }[];
    expect(after.every((r) => r.revision === "3" && r.label.startsWith("v3 "))).to.equal(true);
    // An older batch replayed afterwards leaves them as they are.
    await write("by_copy", rowsOf(COPY_FROM_ROWS + 10, 2), { newerBy: "revision" });
    expect(await table("by_copy")).to.deep.equal(after);
  });

  it("takes stored members out of the event log by reference, storing what their values store", async () => {
    await knex.raw("create table log_events (event_id uuid primary key, data jsonb not null)");
    for (const table of ["ref_copy", "ref_json"]) await knex.raw(`create table ${table} (id uuid primary key, label text not null, doc jsonb)`);
    const events = rowsOf(COPY_FROM_ROWS + 4, 1).map((r, i) => {
      const data: Record<string, unknown> = { doc: i % 4 === 1 ? null : r["doc"], other: i };
      if (i % 4 === 2) delete data["doc"];
      return { id: randomUUID(), data, label: r["label"] };
    });
    await knex("log_events").insert(events.map((e) => ({ event_id: e.id, data: JSON.stringify(e.data) })));
    // Every fourth as if upcast: its value differs from the stored one and must be written as it is.
    const rows = (ids: string[]) =>
      events.map((e, i) => ({ id: ids[i], label: e.label, doc: i % 4 === 3 ? new StoredMember({ upcast: i }, null, "doc") : new StoredMember(e.data["doc"], e.id, "doc") }));
    const ids = events.map(() => randomUUID());
    await knex.transaction(async (trx) => {
      readLogFrom(trx, "log_events");
      await insertRows(trx, "ref_copy", rows(ids), { key: ["id"], onConflict: "ignore" });
    });
    await write("ref_json", rows(ids), "ignore", COPY_FROM_ROWS - 1);
    expect(await table("ref_copy")).to.deep.equal(await table("ref_json"));
    // A JSON null member and an absent one are SQL nulls, as written by value (the driver reads
    // a JSON null as null too: ask the server).
    const sqlNulls = async (name: string) => (await knex.raw<{ rows: { n: number }[] }>(`select count(*)::int as n from ${name} where doc is null`)).rows[0]?.n;
    expect(await sqlNulls("ref_copy")).to.equal(events.filter((e) => e.data["doc"] === null || !("doc" in e.data)).length);
    expect(await sqlNulls("ref_json")).to.equal(await sqlNulls("ref_copy"));

    // A log that lacks the events is not the log they came from.
    const elsewhere = rows(events.map(() => randomUUID())).map((r) => ({ ...r, doc: new StoredMember(1, randomUUID(), "doc") }));
    const outcome = await knex
      .transaction(async (trx) => {
        readLogFrom(trx, "log_events");
        await insertRows(trx, "ref_copy", elsewhere, { key: ["id"], onConflict: "ignore" });
      })
      .then(() => null, (err: unknown) => err);
    expect(String(outcome)).to.match(/does not hold the events/);
  });

  it("writes a narrowed member only by reference, however few the rows, and never as its value", async () => {
    await knex.raw("create table narrowed_log (event_id uuid primary key, data jsonb not null)");
    await knex.raw("create table narrowed (id uuid primary key, doc jsonb)");
    const whole = { kept: 1, left: "x".repeat(100) };
    const eventId = randomUUID();
    await knex("narrowed_log").insert({ event_id: eventId, data: JSON.stringify({ doc: whole }) });
    // Read narrowed, it holds only what the reader kept; the log holds all of it.
    const row = () => ({ id: randomUUID(), doc: new StoredMember({ kept: 1 }, eventId, "doc", true) });
    const one = row();
    await knex.transaction(async (trx) => {
      readLogFrom(trx, "narrowed_log");
      await insertRows(trx, "narrowed", [one], { key: ["id"], onConflict: "ignore" });
    });
    expect(await knex("narrowed").where({ id: one.id }).first()).to.deep.equal({ id: one.id, doc: whole });

    // Without the log in the transaction's database it is an error, not a partial row.
    for (const count of [1, COPY_FROM_ROWS]) {
      const outcome = await knex
        .transaction((trx) => insertRows(trx, "narrowed", Array.from({ length: count }, row), { key: ["id"], onConflict: "ignore" }))
        .then(() => null, (err: unknown) => err);
      expect(String(outcome)).to.match(/narrowed doc can only be written by reference/);
    }
    expect(await knex("narrowed").count({ n: "*" })).to.deep.equal([{ n: "1" }]);
    expect(() => new StoredMember({ kept: 1 }, null, "doc", true)).to.throw(/no stored value/);
  });

  it("stores values through COPY with the column's own compression", async function () {
    // A column compressed otherwise than the server's default needs lz4 (PostgreSQL built
    // with it; the embedded server's binaries are not).
    const { rows: lz4 } = await knex.raw<{ rows: { lz4: boolean }[] }>(
      "select coalesce(bool_or('lz4' = any(enumvals)), false) as lz4 from pg_settings where name = 'default_toast_compression'",
    );
    if (!lz4[0]?.lz4) this.skip();
    await knex.raw("create table compressed (id uuid primary key, doc jsonb compression lz4 not null)");
    // Large enough to be compressed (over 2 kB), and compressible.
    const rows = rowsOf(COPY_FROM_ROWS, 1).map((r) => ({ id: r["id"], doc: { text: "certificate ".repeat(400), n: r["revision"] } }));
    await write("compressed", rows, "ignore");
    const { rows: methods } = await knex.raw<{ rows: { method: string | null; n: number }[] }>(
      "select pg_column_compression(doc) as method, count(*)::int as n from compressed group by 1",
    );
    expect(methods).to.deep.equal([{ method: "lz4", n: COPY_FROM_ROWS }]);
  });
});
