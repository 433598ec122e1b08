// timestamptz read as ISO instants (isoInstants.ts) must be exactly what pg's Date and
// toISOString made of the same values: the answers of GET /domains are a contract.
import { expect } from "chai";
import pg from "pg";
import { ISO_INSTANTS, isoInstant } from "../../../src/infrastructure/postgres/isoInstants.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

const VALUES = [
  "2026-12-01 04:33:01+00",
  "2026-12-01 04:33:01.1+00",
  "2026-12-01 04:33:01.12+00",
  "2026-12-01 04:33:01.123+00",
  "2026-12-01 04:33:01.1239+00",
  "2026-12-01 04:33:01.999999+00",
  "2026-12-01 04:33:01.000001+00",
  "1970-01-01 00:00:00+00",
  "0099-03-01 12:00:00.5+00",
  "2026-06-30 23:59:59.9995+02",
];

describe("timestamptz as ISO instants (integration)", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  /** Each of VALUES as PostgreSQL sends it in a session of `timeZone`, read both ways. */
  async function readBothWays(timeZone: string) {
    const client = await db.pool.connect();
    try {
      await client.query(`set timezone = '${timeZone}'`);
      const text = `select v::timestamptz as v from unnest($1::text[]) with ordinality as t(v, n) order by n`;
      const asDates = (await client.query<{ v: Date }>({ text, values: [VALUES] })).rows.map((r) => r.v.toISOString());
      const asIso = (await client.query<{ v: string }>({ text, values: [VALUES], types: ISO_INSTANTS })).rows.map((r) => r.v);
      return { asDates, asIso };
    } finally {
      await client.query("reset timezone");
      client.release();
    }
  }

  it("reads every value of a UTC session as Date#toISOString writes it", async () => {
    const { asDates, asIso } = await readBothWays("UTC");
    expect(asIso).to.deep.equal(asDates);
    expect(asIso[5]).to.equal("2026-12-01T04:33:01.999Z");
  });

  it("reads the values of a session in another time zone the same way (the slower path)", async () => {
    for (const zone of ["Asia/Kolkata", "America/St_Johns", "Europe/Berlin"]) {
      const { asDates, asIso } = await readBothWays(zone);
      expect(asIso, zone).to.deep.equal(asDates);
    }
  });

  it("leaves other types as pg reads them, and fails on an infinity as a Date did", async () => {
    const { rows } = await db.pool.query({ text: "select 1::int as n, now()::date as d, '{\"a\":1}'::jsonb as j", types: ISO_INSTANTS });
    expect(rows[0]).to.deep.include({ n: 1, j: { a: 1 } });
    expect(rows[0].d).to.be.instanceOf(Date);
    expect(() => isoInstant("infinity")).to.throw(TypeError);
    expect(() => (pg.types.getTypeParser(1184) as (t: string) => Date)("infinity").toISOString()).to.throw(TypeError);
  });
});
