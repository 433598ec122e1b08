// Rebuilding a projection without taking its read models away: events are projected into
// shadow copies of its tables while the live ones keep serving reads (and keep being
// updated), then the copies replace them in one short transaction.
import type { Knex } from "knex";
import { comparePositions } from "../eventStore/eventStore.js";
import { lockCheckpoint, CHECKPOINTS_TABLE, type Checkpoint } from "./checkpoints.js";
import type { Partition } from "./partition.js";
import type { Projection } from "./projection.js";
import { liveTarget, shadowCheckpoint, shadowSchemaOf } from "./projectionTarget.js";

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const qualified = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

const PARTITIONS_TABLE = "_partitions";

/** Serialises preparing and finishing one projection's rebuild across processes. */
const lockRebuild = (trx: Knex.Transaction, projection: Projection) =>
  trx.raw("select pg_advisory_xact_lock(hashtext(?))", [`rebuild:${projection.name}`]);

const checkpointsOf = (projection: Projection, count: number) =>
  Array.from({ length: count }, (_, index) => shadowCheckpoint(projection, { index, count }));

/**
 * Empty shadow tables shaped like the live ones (columns, defaults, keys), and a row per
 * partition, unless another partition of the same rebuild prepared them already. A
 * per-stream projection's secondary indexes are left out, to be built once after the load
 * (finishShadow): faster than keeping them up to date row by row. Other projections get
 * them before the load (their handlers may read by them). Unique ones stay (ON CONFLICT
 * needs them). Secondary indexes keep their live names: LIKE's copies are named anew, and
 * finishShadow, looking for the live names, built each a second time on every rebuild.
 */
export async function prepareShadow(knex: Knex, projection: Projection, partitions: number): Promise<void> {
  const shadow = shadowSchemaOf(projection);
  const names = checkpointsOf(projection, partitions);
  await knex.transaction(async (trx) => {
    await lockRebuild(trx, projection);
    const { rows } = await trx.raw<{ rows: { n: number }[] }>(
      `select count(*)::int as n from information_schema.tables where table_schema = ? and table_name = ?`,
      [shadow, PARTITIONS_TABLE],
    );
    if (rows[0]?.n === 1) {
      const prepared = await trx(`${shadow}.${PARTITIONS_TABLE}`).count<{ n: string }[]>({ n: "*" });
      if (Number(prepared[0]?.n) === partitions) return;
    }
    await trx.raw(`drop schema if exists ${ident(shadow)} cascade`);
    await trx.raw(`create schema ${ident(shadow)}`);
    for (const table of projection.tables) {
      await trx.raw(`create table ${qualified(shadow, table)} (like ${qualified(projection.schema, table)} including all)`);
      for (const index of await secondaryIndexes(trx, shadow, table)) await trx.raw(`drop index ${qualified(shadow, index.name)}`);
    }
    if (!projection.perStream) await buildDeferredIndexes(trx, projection);
    await trx.raw(`create table ${qualified(shadow, PARTITIONS_TABLE)} (partition int primary key, done boolean not null)`);
    await trx(`${shadow}.${PARTITIONS_TABLE}`).insert(names.map((_, partition) => ({ partition, done: false })));
    await trx(CHECKPOINTS_TABLE).where("name", "like", `${projection.name}@rebuild%`).delete();
    await trx(CHECKPOINTS_TABLE).insert(names.map((name) => ({ name, events_processed: 0 })));
  });
}

/** Indexes of a table that neither back a constraint nor are unique. */
async function secondaryIndexes(trx: Knex.Transaction, schema: string, table: string): Promise<{ name: string; definition: string }[]> {
  const { rows } = await trx.raw<{ rows: { name: string; definition: string }[] }>(
    `select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i join pg_class c on c.oid = i.indexrelid
     where i.indrelid = ?::regclass and not i.indisunique
       and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
    [qualified(schema, table)],
  );
  return rows;
}

/** Builds on the shadow tables the live tables' secondary indexes they lack, under the same names. */
async function buildDeferredIndexes(trx: Knex.Transaction, projection: Projection): Promise<void> {
  const shadow = shadowSchemaOf(projection);
  for (const table of projection.tables) {
    const existing = new Set((await secondaryIndexes(trx, shadow, table)).map((i) => i.name));
    for (const index of await secondaryIndexes(trx, projection.schema, table)) {
      if (existing.has(index.name)) continue;
      const on = ` ON ${qualified(projection.schema, table)} `;
      const live = index.definition.replace(` ON ${projection.schema}.${table} `, on);
      if (!live.includes(on)) throw new Error(`cannot rebuild index ${index.name}: ${index.definition}`);
      await trx.raw(live.replace(on, ` ON ${qualified(shadow, table)} `));
    }
  }
}

/**
 * Marks a partition's load done; the last partition to finish builds the deferred indexes
 * and swaps the shadow tables in. Returns whether this call swapped.
 */
export async function finishShadow(knex: Knex, projection: Projection, partition: Partition): Promise<boolean> {
  const shadow = shadowSchemaOf(projection);
  return knex.transaction(async (trx) => {
    await lockRebuild(trx, projection);
    await trx(`${shadow}.${PARTITIONS_TABLE}`).where({ partition: partition.index }).update({ done: true });
    const pending = await trx(`${shadow}.${PARTITIONS_TABLE}`).where({ done: false }).count<{ n: string }[]>({ n: "*" });
    if (Number(pending[0]?.n) > 0) return false;
    await buildDeferredIndexes(trx, projection);
    await swapInShadow(trx, projection, checkpointsOf(projection, partition.count));
    return true;
  });
}

interface DependentView {
  readonly oid: number;
  readonly name: string;
  readonly definition: string;
}

/** Views directly over any of the given relations. */
async function viewsOver(trx: Knex.Transaction, relations: number[]): Promise<DependentView[]> {
  if (relations.length === 0) return [];
  const { rows } = await trx.raw<{ rows: DependentView[] }>(
    `select distinct v.oid::int as oid, v.oid::regclass::text as name, pg_get_viewdef(v.oid) as definition
     from pg_depend d
     join pg_rewrite r on r.oid = d.objid and d.classid = 'pg_rewrite'::regclass
     join pg_class v on v.oid = r.ev_class
     where d.refobjid = any(?::oid[]) and v.oid <> d.refobjid and v.relkind = 'v'`,
    [relations],
  );
  return rows;
}

/**
 * Every view that depends on the tables, directly or through other views (analysts' views),
 * in an order in which they can be created again: a view after those it reads.
 */
async function dependentViews(trx: Knex.Transaction, schema: string, tables: readonly string[]): Promise<DependentView[]> {
  const { rows } = await trx.raw<{ rows: { oid: number }[] }>(`select unnest(?::regclass[])::oid::int as oid`, [
    tables.map((t) => qualified(schema, t)),
  ]);
  const ordered: DependentView[] = [];
  let frontier = rows.map((r) => r.oid);
  while (frontier.length > 0) {
    const found = await viewsOver(trx, frontier);
    for (const view of found) {
      // Seen again through a later path: it must come after that path's views too.
      const at = ordered.findIndex((v) => v.oid === view.oid);
      if (at >= 0) ordered.splice(at, 1);
      ordered.push(view);
    }
    frontier = found.map((v) => v.oid);
  }
  return ordered;
}

/**
 * Replaces the live tables by the shadow ones and moves the live checkpoint to where the
 * shadow got (the least advanced partition: the others' events after it are applied again,
 * which changes nothing). The live checkpoint row is locked first, so no live batch commits
 * meanwhile; a live runner then finds its checkpoint moved and continues from the new one.
 */
async function swapInShadow(trx: Knex.Transaction, projection: Projection, rebuilt: readonly string[]): Promise<void> {
  const shadow = shadowSchemaOf(projection);
  const live = liveTarget(projection).checkpoint;
  await lockCheckpoint(trx, live);
  // One after the other: a transaction is one connection (pg deprecates queries queued on it).
  const built: Checkpoint[] = [];
  for (const name of rebuilt) built.push(await lockCheckpoint(trx, name));
  const least = built.reduce((a, b) => (!a.position || (b.position && comparePositions(b.position, a.position) >= 0) ? a : b));
  const views = await dependentViews(trx, projection.schema, projection.tables);
  for (const view of [...views].reverse()) await trx.raw(`drop view ${view.name}`);
  for (const table of projection.tables) {
    await trx.raw(`drop table ${qualified(projection.schema, table)}`);
    await trx.raw(`alter table ${qualified(shadow, table)} set schema ${ident(projection.schema)}`);
  }
  for (const view of views) await trx.raw(`create view ${view.name} as ${view.definition}`);
  await trx(CHECKPOINTS_TABLE)
    .where({ name: live })
    .update({
      commit_position: least.position?.commit.toString() ?? null,
      prepare_position: least.position?.prepare.toString() ?? null,
      events_processed: built.reduce((sum, b) => sum + b.eventsProcessed, 0),
      updated_at: trx.fn.now(),
    });
  await trx(CHECKPOINTS_TABLE).whereIn("name", rebuilt).delete();
  await trx.raw(`drop schema ${ident(shadow)} cascade`);
}
