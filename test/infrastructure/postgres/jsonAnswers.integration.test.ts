// Answers written by PostgreSQL (jsonAnswers.ts) must be exactly what the API wrote when it built
// them in JavaScript: GET /domains' fields are a contract. Real PostgreSQL, each expression
// against the JavaScript it replaces, on the same values.
import { expect } from "chai";
import { daysUntilSql, isoInstantSql, jsonObjectSql } from "../../../src/infrastructure/postgres/jsonAnswers.js";
import { daysUntil } from "../../../src/shared/clock.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

/** Instants as PostgreSQL stores them: fractions of 0-6 digits, early years, another offset. */
const INSTANTS = [
  "2026-12-01 04:33:01+00",
  "2026-12-01 04:33:01.1+00",
  "2026-12-01 04:33:01.12+00",
  "2026-12-01 04:33:01.123+00",
  "2026-12-01 04:33:01.1239+00",
  "2026-12-01 04:33:01.999999+00",
  "2026-12-01 04:33:01.000001+00",
  "1970-01-01 00:00:00+00",
  "1969-12-31 23:59:59.9995+00",
  "0099-03-01 12:00:00.5+00",
  "9999-12-31 23:59:59.999999+00",
  "2026-06-30 23:59:59.9995+02",
];

describe("answers written by PostgreSQL (integration)", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  /** `sql` (over column v, a timestamptz, and $2, an instant) for each of `values`, in a session of `timeZone`. */
  async function each<T>(timeZone: string, sql: string, values: readonly string[], now?: string): Promise<T[]> {
    const client = await db.pool.connect();
    try {
      await client.query(`set timezone = '${timeZone}'`);
      const text = `select ${sql} as out from unnest($1::timestamptz[]) with ordinality as t(v, n) order by n`;
      return (await client.query<{ out: T }>(text, now === undefined ? [values] : [values, now])).rows.map((r) => r.out);
    } finally {
      await client.query("reset timezone");
      client.release();
    }
  }

  /** What pg's Date made of each value (the JavaScript path before). */
  const asDates = async (values: readonly string[]) =>
    (await db.pool.query<{ v: Date }>("select v from unnest($1::timestamptz[]) with ordinality as t(v, n) order by n", [values])).rows.map((r) => r.v);

  it("writes instants as Date#toISOString does, in a session of any time zone", async () => {
    const expected = (await asDates(INSTANTS)).map((d) => d.toISOString());
    for (const zone of ["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Berlin"]) {
      expect(await each<string>(zone, isoInstantSql("v"), INSTANTS), zone).to.deep.equal(expected);
    }
    expect(expected[5]).to.equal("2026-12-01T04:33:01.999Z");
    expect(await each<string | null>("UTC", isoInstantSql("null::timestamptz"), ["2026-12-01 00:00:00+00"])).to.deep.equal([null]);
  });

  it("counts whole days remaining as daysUntil does, on and around day boundaries", async () => {
    const now = new Date("2026-12-01T04:33:01.123Z");
    const offsetsMs = [0, 1, -1, 0.5, -0.5, 999.9, 86_400_000, 86_400_000 - 1, 86_400_000 - 0.001, -86_400_000, -86_400_001, 30 * 86_400_000 + 0.9, -400 * 86_400_000];
    // Offsets below a millisecond: PostgreSQL keeps microseconds, a Date cuts them.
    const values = offsetsMs.map((ms) => {
      const whole = Math.floor(ms);
      const micros = Math.round((ms - whole) * 1000);
      return new Date(now.getTime() + whole).toISOString().replace("Z", `${String(micros).padStart(3, "0")}+00`);
    });
    const expected = (await asDates(values)).map((d) => daysUntil(d, now));
    expect(await each<number>("America/St_Johns", daysUntilSql("v", "$2::timestamptz"), values, now.toISOString())).to.deep.equal(expected);
    expect(expected.slice(0, 8)).to.deep.equal([0, 0, -1, 0, -1, 0, 1, 0]);
  });

  it("writes an object as JSON.stringify does: keys in order, values escaped, nulls kept", async () => {
    const strings = ['plain', 'quote " and backslash \\', "controls \b\f\n\r\t \u0001 \u001f", "unicode é 日本 \u2028 😀", ""];
    for (const s of strings) {
      const { rows } = await db.pool.query<{ out: string }>(
        `select ${jsonObjectSql({ zeta: "$1::text", alpha: "42", nothing: "null::text", yes: "true", list: "'[\"a\"]'::json" })}::text as out`,
        [s],
      );
      expect(rows[0]!.out).to.equal(JSON.stringify({ zeta: s, alpha: 42, nothing: null, yes: true, list: ["a"] }));
    }
  });
});
