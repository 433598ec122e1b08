// Projection checkpoints live beside the read models and are written in the same
// transaction as the rows a batch changes.
import type { Knex } from "knex";
import type { GlobalPosition } from "../eventStore/eventStore.js";

export const CHECKPOINTS_TABLE = "projection_checkpoints";

interface CheckpointRow {
  name: string;
  commit_position: string | null;
  prepare_position: string | null;
  events_processed: string;
  updated_at: Date;
  failing_since: Date | null;
  last_error: string | null;
}

export interface Checkpoint {
  readonly position: GlobalPosition | null;
  readonly eventsProcessed: number;
  readonly updatedAt: Date;
  /** Since when its batches have failed (each retried), null while it commits. */
  readonly failingSince: Date | null;
  readonly lastError: string | null;
}

const toCheckpoint = (row: CheckpointRow): Checkpoint => ({
  position:
    row.commit_position === null || row.prepare_position === null
      ? null
      : { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
  eventsProcessed: Number(row.events_processed),
  updatedAt: row.updated_at,
  failingSince: row.failing_since,
  lastError: row.last_error,
});

export async function ensureCheckpoint(knex: Knex, name: string): Promise<void> {
  await knex(CHECKPOINTS_TABLE).insert({ name, events_processed: 0 }).onConflict("name").ignore();
}

/**
 * Locks the row until the transaction ends, serialising batches of one projection. `settings`
 * are set for the rest of the transaction (`set_config(name, value, true)`) by the same
 * statement: a batch's transaction is a round trip shorter than with a statement of their own.
 */
export async function lockCheckpoint(trx: Knex.Transaction, name: string, settings: Readonly<Record<string, string>> = {}): Promise<Checkpoint> {
  const set = Object.entries(settings).map(([setting, value]) => trx.raw("set_config(?, ?, true)", [setting, value]));
  const row = await trx<CheckpointRow>(CHECKPOINTS_TABLE)
    .select("*", ...set)
    .where({ name })
    .forUpdate()
    .first();
  if (!row) throw new Error(`No checkpoint row for projection ${name}`);
  return toCheckpoint(row);
}

/** One projection's (or shadow lane's) checkpoint; undefined before ensureCheckpoint. */
export async function readCheckpoint(knex: Knex, name: string): Promise<Checkpoint | undefined> {
  const row = await knex<CheckpointRow>(CHECKPOINTS_TABLE).where({ name }).first();
  return row && toCheckpoint(row);
}

export async function readCheckpoints(knex: Knex, names: readonly string[]): Promise<Map<string, Checkpoint>> {
  const rows = await knex<CheckpointRow>(CHECKPOINTS_TABLE).whereIn("name", names);
  return new Map(rows.map((r) => [r.name, toCheckpoint(r)]));
}

export async function saveCheckpoint(
  trx: Knex.Transaction,
  name: string,
  position: GlobalPosition,
  processed: number,
): Promise<void> {
  await trx(CHECKPOINTS_TABLE)
    .where({ name })
    .update({
      commit_position: position.commit.toString(),
      prepare_position: position.prepare.toString(),
      events_processed: trx.raw("events_processed + ?", [processed]),
      updated_at: trx.fn.now(),
      failing_since: null,
      last_error: null,
    });
}

/** The longest error message kept on a checkpoint row. */
const ERROR_TEXT_MAX = 500;

/**
 * Marks a projection failing (since its first failure in a row) with the error of its latest
 * attempt; its next committed batch clears both (saveCheckpoint).
 */
export async function recordFailure(knex: Knex, name: string, err: unknown): Promise<void> {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  await knex(CHECKPOINTS_TABLE)
    .where({ name })
    .update({ failing_since: knex.raw("coalesce(failing_since, now())"), last_error: message.slice(0, ERROR_TEXT_MAX) });
}
