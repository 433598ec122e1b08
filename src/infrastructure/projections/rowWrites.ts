// Set-based writes for projections on the batch contract: a batch is folded into rows in
// memory (RowChanges, pure), then written with one statement per table whatever its size.
// Rows travel as one JSON parameter typed by the table's own row type
// (jsonb_populate_recordset), so there is no parameter limit and no per-column cast. Table
// names are unqualified: the transaction's search_path picks the live or the shadow copy.
import type { Knex } from "knex";

export type Row = Record<string, unknown>;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** Rows hold JSON values only (folds write revisions as strings): no replacer, which would cost a call per key. */
const json = (rows: readonly Row[]) => JSON.stringify(rows);
const columnsOf = (rows: readonly Row[]) => [...new Set(rows.flatMap((r) => Object.keys(r)))];

export interface InsertOptions {
  readonly key: readonly string[];
  /**
   * On a key conflict: keep the stored row ("ignore", for rows keyed by event-derived ids),
   * replace it ("replace"), or replace it only where the stored `newerBy` column is lower
   * (rows that carry their stream revision).
   */
  readonly onConflict: "ignore" | "replace" | { readonly newerBy: string };
}

/** One multi-row INSERT ... ON CONFLICT. Rows must be complete and, unless ignored, unique by key. */
export async function insertRows(trx: Knex.Transaction, table: string, rows: readonly Row[], options: InsertOptions): Promise<void> {
  if (rows.length === 0) return;
  const columns = columnsOf(rows);
  const list = columns.map(ident).join(", ");
  const key = options.key.map(ident).join(", ");
  let conflict = `on conflict (${key}) do nothing`;
  if (options.onConflict !== "ignore") {
    const set = columns.filter((c) => !options.key.includes(c)).map((c) => `${ident(c)} = excluded.${ident(c)}`);
    const newer = options.onConflict === "replace" ? "" : options.onConflict.newerBy;
    conflict = `on conflict (${key}) do update set ${set.join(", ")}${newer ? ` where ${ident(table)}.${ident(newer)} < excluded.${ident(newer)}` : ""}`;
  }
  await trx.raw(`insert into ${ident(table)} (${list}) select ${list} from jsonb_populate_recordset(null::${ident(table)}, ?::jsonb) ${conflict}`, [json(rows)]);
}

/**
 * One UPDATE ... FROM for many rows, each changed by its own patch (which holds the key;
 * columns a patch leaves out keep their values). With `newerBy`, a row changes only where
 * its stored column is lower than the patch's, so a replayed patch changes nothing.
 */
export async function patchRows(
  trx: Knex.Transaction,
  table: string,
  key: string,
  patches: readonly Row[],
  options: { readonly newerBy?: string } = {},
): Promise<void> {
  if (patches.length === 0) return;
  const columns = columnsOf(patches).filter((c) => c !== key);
  if (columns.length === 0) return;
  const t = ident(table);
  const patched = (column: string) => `(jsonb_populate_record(null::${t}, p.v)).${ident(column)}`;
  await trx.raw(
    `update ${t} as t set (${columns.map(ident).join(", ")}) = (select ${columns.map((c) => `r.${ident(c)}`).join(", ")} from jsonb_populate_record(t, p.v) r)
     from jsonb_array_elements(?::jsonb) as p(v)
     where t.${ident(key)} = ${patched(key)}${options.newerBy ? ` and t.${ident(options.newerBy)} < ${patched(options.newerBy)}` : ""}`,
    [json(patches)],
  );
}

/**
 * A batch's effect on one table, folded per row: a row created in the batch absorbs the later
 * changes to it; changes to an existing row merge into one patch, the last value of each
 * column winning. Applying the patch of events 1..n to a row that already reflects 1..k gives
 * the row of 1..n, so replays stay harmless.
 */
export class RowChanges {
  readonly inserts = new Map<string, Row>();
  readonly patches = new Map<string, Row>();

  constructor(readonly key: string) {}

  insert(row: Row): void {
    const id = String(row[this.key]);
    this.inserts.set(id, { ...this.inserts.get(id), ...row });
  }

  patch(id: string, values: Row): void {
    const pending = this.inserts.get(id);
    if (pending) this.inserts.set(id, { ...pending, ...values });
    else this.patches.set(id, { ...this.patches.get(id), ...values, [this.key]: id });
  }

  async write(trx: Knex.Transaction, table: string, options: { readonly onConflict: InsertOptions["onConflict"]; readonly newerBy?: string }): Promise<void> {
    await insertRows(trx, table, [...this.inserts.values()], { key: [this.key], onConflict: options.onConflict });
    await patchRows(trx, table, this.key, [...this.patches.values()], options.newerBy ? { newerBy: options.newerBy } : {});
  }
}
