// Set-based writes for projections on the batch contract: a batch is folded into rows in
// memory (RowChanges, pure), then written with one statement per table whatever its size.
// Rows travel as one JSON parameter typed by the table's own row type
// (jsonb_populate_recordset), so there is no parameter limit and no per-column cast. Table
// names are unqualified: the transaction's search_path picks the live or the shadow copy.
// Large batches (a rebuild's) travel by COPY into a staging table instead (copyRows).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Knex } from "knex";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { RecordedEvent } from "../eventStore/eventStore.js";

export type Row = Record<string, unknown>;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** Rows hold JSON values only (folds write revisions as strings): no replacer, which would cost a call per key. */
const json = (rows: readonly Row[]) => JSON.stringify(rows);
const columnsOf = (rows: readonly Row[]) => [...new Set(rows.flatMap((r) => Object.keys(r)))];

/**
 * A member of an event's data, written verbatim as it is stored in the log. Where the log is a
 * table of the transaction's database (readLogFrom), a COPY stages the event's id instead and
 * the INSERT takes the value out of the log: a large value (an SSL result is 4.6 kB of JSON)
 * is then neither serialised by the client again nor parsed by the server again
 * (bench/profiles/3-rebuild.md). Everywhere else it is written as its value.
 */
export class StoredMember {
  constructor(
    readonly value: unknown,
    /** Null when the value is not the stored one (the event was upcast). */
    readonly eventId: string | null,
    readonly member: string,
    /** The value was read narrowed (RecordedEvent.narrowed): only the log holds all of it. */
    readonly partial = false,
  ) {
    if (partial && eventId === null) throw new Error(`a narrowed ${member} has no stored value to refer to`);
  }

  toJSON(): unknown {
    if (this.partial) throw new Error(`a narrowed ${this.member} can only be written by reference to the log`);
    return this.value;
  }
}

/**
 * `member` of a decoded event's data, as a StoredMember: by reference to the log only if the
 * decoded data is the stored data (no upcaster ran; upcasting makes new data).
 */
export function storedMember(decoded: { readonly event: { readonly data: object }; readonly recorded: RecordedEvent }, member: string): StoredMember {
  const { data } = decoded.event;
  const stored = data === decoded.recorded.data;
  const partial = stored && decoded.recorded.narrowed?.member === member;
  return new StoredMember((data as Record<string, unknown>)[member], stored ? decoded.recorded.id : null, member, partial);
}

const eventLogs = new WeakMap<Knex.Transaction, string>();

/**
 * Lets COPY writes in `trx` take StoredMember values out of `table`: an event store's log in
 * the same database, with columns event_id (uuid) and data (jsonb) as appended.
 */
export function readLogFrom(trx: Knex.Transaction, table: string): void {
  eventLogs.set(trx, table);
}

export interface InsertOptions {
  readonly key: readonly string[];
  /**
   * On a key conflict: keep the stored row ("ignore", for rows keyed by event-derived ids),
   * replace it ("replace"), or replace it only where the stored `newerBy` column is lower
   * (rows that carry their stream revision).
   */
  readonly onConflict: "ignore" | "replace" | { readonly newerBy: string };
}

/**
 * From this many rows on, a write goes by COPY into a staging table and one INSERT ... SELECT
 * from it: the server parses COPY's text faster than one JSON document of the whole batch
 * (rebuild batches of check results run to megabytes), and the client sends each value once.
 */
export const COPY_FROM_ROWS = 500;

/**
 * One multi-row INSERT ... ON CONFLICT. Rows must be complete and, unless ignored, unique by
 * key. Large batches are staged by COPY first (the same statement then reads the stage).
 */
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
  // A narrowed value is written only by reference, which goes through the stage.
  if (rows.length >= COPY_FROM_ROWS || rows.some(hasPartialMember)) {
    const log = eventLogs.get(trx);
    const refs = log ? referencedMembers(columns, rows) : new Map<string, string>();
    const stage = await copyRows(trx, table, columns, refs, rows);
    if (log && refs.size > 0) {
      const joins = [...refs.keys()].map((c, i) => `left join ${log} e${i} on e${i}.event_id = s.${ident(`${c}@event`)}`);
      const values = columns.map((c) => {
        const i = [...refs.keys()].indexOf(c);
        // A JSON null member is an SQL null, as when written as a value.
        return i < 0 ? `s.${ident(c)}` : `coalesce(s.${ident(c)}, nullif(e${i}.data -> '${refs.get(c)!.replaceAll("'", "''")}', 'null'::jsonb))`;
      });
      await assertInLog(trx, stage, log, [...refs.keys()]);
      await trx.raw(`insert into ${ident(table)} (${list}) select ${values.join(", ")} from ${stage} s ${joins.join(" ")} ${conflict}`);
      return;
    }
    await trx.raw(`insert into ${ident(table)} (${list}) select ${list} from ${stage} ${conflict}`);
    return;
  }
  await trx.raw(`insert into ${ident(table)} (${list}) select ${list} from jsonb_populate_recordset(null::${ident(table)}, ?::jsonb) ${conflict}`, [json(rows)]);
}

/**
 * COPY text format: `\N` for null, objects as JSON, and backslash, tab and line ends escaped
 * (JSON escapes its own control characters, so only its backslashes need doubling).
 */
function copyValue(value: unknown): string {
  if (value instanceof StoredMember) return copyValue(value.toJSON());
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "object" && !(value instanceof Date)) {
    const text = JSON.stringify(value);
    return text.includes("\\") ? text.replaceAll("\\", "\\\\") : text;
  }
  const text = value instanceof Date ? value.toISOString() : String(value as string | number | boolean | bigint);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : text;
}
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

const hasPartialMember = (row: Row) => Object.values(row).some((v) => v instanceof StoredMember && v.partial);

/**
 * The columns whose StoredMember values go by reference, each with its member (values of
 * another member in the same column go as values).
 */
function referencedMembers(columns: readonly string[], rows: readonly Row[]): Map<string, string> {
  const refs = new Map<string, string>();
  for (const c of columns) {
    const first = rows.find((r) => r[c] instanceof StoredMember && r[c].eventId !== null)?.[c];
    if (first instanceof StoredMember) refs.set(c, first.member);
  }
  return refs;
}

/** A row's COPY fields: its columns, then the event id of each referenced column (or null). */
function copyFields(columns: readonly string[], refs: ReadonlyMap<string, string>, row: Row): string[] {
  const byRef = (c: string) => {
    const value = row[c];
    return value instanceof StoredMember && value.eventId !== null && refs.get(c) === value.member ? value.eventId : null;
  };
  const fields = columns.map((c) => (byRef(c) === null ? copyValue(row[c]) : "\\N"));
  for (const c of refs.keys()) fields.push(byRef(c) ?? "\\N");
  return fields;
}

/** Rows as COPY text in chunks of about 1 MB: a write per row costs more than the encoding. */
function* copyChunks(columns: readonly string[], refs: ReadonlyMap<string, string>, rows: readonly Row[]): Generator<string> {
  let chunk = "";
  for (const row of rows) {
    chunk += `${copyFields(columns, refs, row).join("\t")}\n`;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

let stages = 0;

/**
 * Copies `rows` into a new temporary table shaped like `table` (dropped at commit) and returns
 * its name. COPY needs the transaction's own connection, which knex hands out to its client.
 * The stage compresses values as `table` does: INSERT ... SELECT moves a compressed value as
 * it is, so a stage with the default (pglz) put pglz values into lz4 columns, at 2.5 times
 * the CPU (bench/profiles/3-rebuild.md).
 */
async function copyRows(trx: Knex.Transaction, table: string, columns: readonly string[], refs: ReadonlyMap<string, string>, rows: readonly Row[]): Promise<string> {
  const stage = ident(`stage_${table}_${++stages}`);
  const refColumns = [...refs.keys()].map((c) => ident(`${c}@event`));
  // A referenced column is null in the stage until the INSERT fills it from the log.
  const nullable = [...refs.keys()].map((c) => `; alter table ${stage} alter column ${ident(c)} drop not null`).join("");
  await trx.raw(`create temporary table ${stage} (like ${ident(table)} including compression${refColumns.map((c) => `, ${c} uuid`).join("")}) on commit drop${nullable}`);
  const connection = await (trx.client as { acquireConnection(): Promise<pg.ClientBase> }).acquireConnection();
  const list = [...columns.map(ident), ...refColumns].join(", ");
  await pipeline(Readable.from(copyChunks(columns, refs, rows)), connection.query(copyFrom(`copy ${stage} (${list}) from stdin`)));
  return stage;
}

/** Every event a stage refers to is in `log` (else the log is not in this database). */
async function assertInLog(trx: Knex.Transaction, stage: string, log: string, columns: readonly string[]): Promise<void> {
  for (const c of columns) {
    const ref = ident(`${c}@event`);
    const { rows } = await trx.raw<{ rows: unknown[] }>(`select 1 from ${stage} s where s.${ref} is not null and not exists (select 1 from ${log} e where e.event_id = s.${ref}) limit 1`);
    if (rows.length > 0) throw new Error(`${log} does not hold the events ${stage} refers to: the event log is not in the read models' database`);
  }
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
