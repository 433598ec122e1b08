// Backups of the event store.
//
//   node --import tsx scripts/backup-eventstore.ts backup [--out DIR] [--read-models]
//   node --import tsx scripts/backup-eventstore.ts restore FILE [--into DATABASE_URL]
//
// PostgreSQL (the default store): `backup` writes a pg_dump (custom format) of the
// "eventstore" schema — every event and stream head; with --read-models also the "public"
// schema (read models, checkpoints, snapshots) — to DIR/ssltrackr-<schemas>-<timestamp>.dump
// and prints its path. Without the read models a restore is followed by
// `ssltrackr projections rebuild`, which rebuilds them from the events. `restore` loads such a
// dump with pg_restore into DATABASE_URL (or --into), which must not hold these schemas yet
// (restore into a new, empty database). Needs pg_dump/pg_restore of the server's major version
// or newer on PATH.
//
// EventStoreDB (EVENTSTORE_URL=esdb://...): nothing to dump from here; the script prints the
// file-copy procedure of EventStoreDB's documentation instead.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { $ } from "zx";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ssltrackr";

const EVENTSTOREDB_BACKUP = `EventStoreDB keeps its data in files; back up by copying them (EventStoreDB docs, "Backup and restore"):
  1. Copy the checkpoint files (*.chk) from the data directory first, then the chunk files
     (chunk-*), then the index directory — in that order, so the copy is consistent while the
     node runs (or stop the node and copy the whole data directory).
  2. Restore: stop the node, put the copied files into an empty data directory (copying
     chaser.chk over truncate.chk), start the node; it rebuilds what it needs from the chunks.
Then run \`ssltrackr projections rebuild\` if the read models (PostgreSQL) were not restored with it.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: "string", default: "backups" },
    "read-models": { type: "boolean", default: false },
    into: { type: "string" },
  },
});
const [command, file] = positionals;
$.verbose = false;

async function main(): Promise<number> {
  if (process.env["EVENTSTORE_URL"]) {
    process.stdout.write(`${EVENTSTOREDB_BACKUP}\n`);
    return 0;
  }
  const databaseUrl = process.env["DATABASE_URL"] ?? DEFAULT_URL;
  if (command === "backup") {
    const schemas = values["read-models"] ? ["eventstore", "public"] : ["eventstore"];
    mkdirSync(values.out, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const target = path.join(values.out, `ssltrackr-${schemas.join("+")}-${stamp}.dump`);
    await $`pg_dump --format=custom ${schemas.map((s) => `--schema=${s}`)} --file=${target} ${databaseUrl}`;
    process.stdout.write(`${target}\n`);
    return 0;
  }
  if (command === "restore" && file) {
    // --no-owner: the restoring role owns what it creates (the dump's roles may not exist here).
    await $`pg_restore --no-owner --exit-on-error --dbname=${values.into ?? databaseUrl} ${file}`;
    process.stdout.write(`restored ${file}\n`);
    return 0;
  }
  process.stderr.write("usage: backup-eventstore.ts backup [--out DIR] [--read-models] | restore FILE [--into DATABASE_URL]\n");
  return 2;
}

process.exitCode = await main();
