// Rebuilding a projection without taking its read models away: events are projected into
// shadow copies of its tables while the live ones keep serving reads (and keep being
// updated), then the copies replace them in one short transaction.
import type { Knex } from "knex";
import { ensureCheckpoint, lockCheckpoint, resetCheckpoint, CHECKPOINTS_TABLE } from "./checkpoints.js";
import type { Projection } from "./projection.js";
import { liveTarget, shadowSchemaOf, shadowTarget } from "./projectionTarget.js";

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const qualified = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

/** Fresh, empty shadow tables shaped like the live ones (columns, defaults, indexes, keys). */
export async function prepareShadow(knex: Knex, projection: Projection): Promise<void> {
  const shadow = shadowSchemaOf(projection);
  await knex.transaction(async (trx) => {
    await trx.raw(`drop schema if exists ${ident(shadow)} cascade`);
    await trx.raw(`create schema ${ident(shadow)}`);
    for (const table of projection.tables) {
      await trx.raw(`create table ${qualified(shadow, table)} (like ${qualified(projection.schema, table)} including all)`);
    }
  });
  await ensureCheckpoint(knex, shadowTarget(projection).checkpoint);
  await knex.transaction((trx) => resetCheckpoint(trx, shadowTarget(projection).checkpoint));
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
 * shadow got. The live checkpoint row is locked first, so no live batch commits meanwhile;
 * a live runner then finds its checkpoint moved and continues from the new one.
 */
export async function swapInShadow(knex: Knex, projection: Projection): Promise<void> {
  const shadow = shadowSchemaOf(projection);
  const live = liveTarget(projection).checkpoint;
  const rebuilt = shadowTarget(projection).checkpoint;
  await knex.transaction(async (trx) => {
    await lockCheckpoint(trx, live);
    const built = await lockCheckpoint(trx, rebuilt);
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
        commit_position: built.position?.commit.toString() ?? null,
        prepare_position: built.position?.prepare.toString() ?? null,
        events_processed: built.eventsProcessed,
        updated_at: trx.fn.now(),
      });
    await trx(CHECKPOINTS_TABLE).where({ name: rebuilt }).delete();
    await trx.raw(`drop schema ${ident(shadow)} cascade`);
  });
}
