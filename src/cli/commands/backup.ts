// `ssltrackr backup [--out FILE|-]` and `ssltrackr restore <FILE|->`: the event log exported
// to and imported from the versioned NDJSON format of docs/backup.md, through the driver (no
// pg_dump). Like every command they act on DATABASE_URL, or on the default install's
// embedded PostgreSQL when it is unset (sharing it with a running `npm start`).
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { createGunzip, createGzip } from "node:zlib";
import { loadConfig } from "../../config.js";
import {
  EventLogFormatError,
  EventStoreNotEmptyError,
  exportEventLog,
  importEventLog,
} from "../../infrastructure/eventStore/postgres/eventLogArchive.js";
import { projectionLockName } from "../../infrastructure/projections/projectionRunner.js";
import { DeliveryQueue } from "../../webhooks/deliveryQueue.js";
import { withServices } from "./cliContext.js";

const EVENTSTOREDB = `ssltrackr backup/restore export the PostgreSQL event store; with EVENTSTORE_URL set the events live
in EventStoreDB, which is backed up by copying its files (EventStoreDB docs, "Backup and restore"):
  1. Copy the checkpoint files (*.chk) from the data directory first, then the chunk files
     (chunk-*), then the index directory, in that order, so the copy is consistent while the
     node runs (or stop the node and copy the whole data directory).
  2. Restore: stop the node, put the copied files into an empty data directory (copying
     chaser.chk over truncate.chk), start the node; it rebuilds what it needs from the chunks.
Then run \`ssltrackr projections rebuild\` to rebuild the read models (PostgreSQL) from it.
`;

const fail = (message: string): number => {
  process.stderr.write(`ssltrackr: ${message}\n`);
  return 1;
};

/** Refuses with EventStoreDB (nothing of ours to export) and returns the exit code, else null. */
function eventStoreDbRefusal(): number | null {
  if (!loadConfig().EVENTSTORE_URL) return null;
  process.stderr.write(EVENTSTOREDB);
  return 2;
}

const gzipped = (file: string) => file.endsWith(".gz");

export async function backup(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: "string" } } });
  const refused = eventStoreDbRefusal();
  if (refused !== null) return refused;
  const now = new Date();
  const target = values.out ?? path.join("backups", `ssltrackr-events-${now.toISOString().replace(/[:.]/g, "-")}.ndjson.gz`);
  const toStdout = target === "-";
  // Written under a temporary name and renamed when complete: a failed backup leaves no
  // file that looks like one.
  const partial = `${target}.partial`;
  return withServices(async (_services, infra) => {
    let out: Writable = process.stdout;
    let file: Writable | undefined;
    if (!toStdout) {
      await mkdir(path.dirname(path.resolve(target)), { recursive: true });
      file = createWriteStream(partial);
      out = gzipped(target) ? createGzip() : file;
      if (out !== file) out.pipe(file);
    }
    try {
      const header = await exportEventLog(infra.pool, out, { now });
      if (file) {
        out.end();
        await once(file, "close");
        await rename(partial, target);
        process.stdout.write(`${target}\n`);
      }
      process.stderr.write(`backed up ${header.events} events\n`);
      return 0;
    } catch (err) {
      file?.destroy();
      if (file) await rm(partial, { force: true });
      throw err;
    }
  });
}

/** Opened before anything else, so a missing or unreadable file fails at once. */
async function openBackup(source: string): Promise<Readable> {
  const input = source === "-" ? process.stdin : (await open(source)).createReadStream();
  if (!gzipped(source)) return input;
  const gunzip = createGunzip();
  input.on("error", (err: Error) => gunzip.destroy(err));
  return input.pipe(gunzip);
}

/** The file could not be read (missing, a directory, no permission) or is not gzip. */
const isFileError = (err: unknown): err is NodeJS.ErrnoException =>
  err instanceof Error && ("syscall" in err || (typeof (err as NodeJS.ErrnoException).code === "string" && (err as NodeJS.ErrnoException).code!.startsWith("Z_")));

export async function restore(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const [source] = positionals;
  if (!source || positionals.length > 1) {
    process.stderr.write("usage: ssltrackr restore <backup file | - for stdin>\n");
    return 2;
  }
  const refused = eventStoreDbRefusal();
  if (refused !== null) return refused;
  return withServices(async (services, infra) => {
    // A server on this database would project (and deliver webhooks) while we restore: hold
    // every projection's leader lock, which each running server holds.
    for (const projection of services.projections.projections) {
      if (!(await infra.leaderSession.lock(projectionLockName(projection)).tryAcquire())) {
        return fail("a server is running on this database (it leads the projections): stop it, then restore");
      }
    }
    try {
      const restored = await importEventLog(infra.pool, await openBackup(source));
      process.stderr.write(`restored ${restored.events} events in ${restored.streams} streams (exported at ${restored.exported_at}); projecting...\n`);
    } catch (err) {
      if (err instanceof EventLogFormatError || err instanceof EventStoreNotEmptyError || isFileError(err)) {
        return fail(`cannot restore ${source}: ${err.message}`);
      }
      throw err;
    }
    await services.projections.catchUp();
    const cancelled =
      (await new DeliveryQueue(infra.knex).cancelAllPending("not re-sent after a restore from backup")) +
      (await services.notifications.queue.cancelAllPending("not re-sent after a restore from backup"));
    process.stdout.write(
      `restored ${source}; read models rebuilt` + (cancelled ? `; ${cancelled} webhook and notification deliveries of past alerts cancelled (not re-sent)` : "") + "\n",
    );
    return 0;
  });
}
