// Read models as data, to compare a rebuild (or a replay) with what was projected live.
import { expect } from "chai";
import type { Knex } from "knex";
import type { Projection } from "../../src/infrastructure/projections/projection.js";

/** Every row of every table of `projection`, each table ordered by its primary key. */
export async function snapshot(knex: Knex, projection: Projection): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of projection.tables) {
    const qualified = `${projection.schema}.${table}`;
    const { rows } = await knex.raw<{ rows: { column: string }[] }>(
      `select a.attname as column from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
       where i.indrelid = ?::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`,
      [qualified],
    );
    expect(rows, `primary key of ${qualified}`).to.have.length.above(0);
    result[qualified] = await knex.withSchema(projection.schema).from(table).orderBy(rows.map((r) => r.column));
  }
  return result;
}

