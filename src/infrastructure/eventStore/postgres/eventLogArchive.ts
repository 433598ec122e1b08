// The event log as a portable file, through the driver (COPY ... TO STDOUT / FROM STDIN with
// pg-copy-streams), so a backup needs no pg_dump of the server's major version. The format,
// "ssltrackr-event-log" version 1, is documented in docs/backup.md: NDJSON, one header line,
// then one line per event in global order.
import { once } from "node:events";
import { Transform, type Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { z } from "zod";

export const EVENT_LOG_FORMAT = "ssltrackr-event-log";
export const EVENT_LOG_VERSION = 1;

const headerSchema = z.object({
  format: z.literal(EVENT_LOG_FORMAT),
  version: z.literal(EVENT_LOG_VERSION),
  exported_at: z.iso.datetime({ offset: true }),
  events: z.number().int().min(0),
});
export type EventLogHeader = z.infer<typeof headerSchema>;

/** The file is not an event log this version can read, or is incomplete. */
export class EventLogFormatError extends Error {}
/** The target already holds events: a restore goes into an empty event store only. */
export class EventStoreNotEmptyError extends Error {}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

// CSV with a quote and a delimiter that JSON text never contains raw (it escapes every
// control character): COPY then moves each JSON line verbatim, with no quoting or escaping.
const RAW_LINES = "(format csv, quote e'\\x01', delimiter e'\\x02')";

async function inTransaction<T>(pool: pg.Pool, mode: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`begin ${mode}`);
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Writes the whole event log of `schema` to `out` (left open): a header line, then every
 * event in global order (transaction, position), from one consistent snapshot while appends
 * go on. Returns the header written.
 */
export async function exportEventLog(pool: pg.Pool, out: Writable, options: { schema?: string; now: Date }): Promise<EventLogHeader> {
  const schema = ident(options.schema ?? "eventstore");
  return inTransaction(pool, "isolation level repeatable read read only", async (client) => {
    // json renders timestamptz in the session's zone: UTC makes recorded_at end in +00:00.
    await client.query("set local timezone = 'UTC'");
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${schema}.events`);
    const header: EventLogHeader = {
      format: EVENT_LOG_FORMAT,
      version: EVENT_LOG_VERSION,
      exported_at: options.now.toISOString(),
      events: Number(rows[0]!.n),
    };
    if (!out.write(`${JSON.stringify(header)}\n`)) await once(out, "drain");
    const events = client.query(
      copyTo(`copy (
        select row_to_json(line)::text from ${schema}.events e cross join lateral (
          select e.stream_name as stream, e.revision, e.event_id as id, e.event_type as type, e.data, e.metadata, e.created_at as recorded_at
        ) line
        order by e.transaction_id, e.position
      ) to stdout ${RAW_LINES}`),
    );
    await pipeline(events, out, { end: false });
    return header;
  });
}

/** Passes everything after the first line through; the first line goes to `onHeader`. */
function headerSplitter(onHeader: (line: string) => void): Transform {
  let pending: Buffer | null = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (pending === null) return done(null, chunk);
      const buffered = Buffer.concat([pending, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) {
        pending = buffered;
        return done(buffered.length > 64 * 1024 ? new EventLogFormatError("no header line: not an SSLTrackr event log") : null);
      }
      pending = null;
      try {
        onHeader(buffered.subarray(0, newline).toString("utf8"));
      } catch (err) {
        return done(err as Error);
      }
      done(null, buffered.subarray(newline + 1));
    },
    flush(done) {
      done(pending === null ? null : new EventLogFormatError("no header line: not an SSLTrackr event log"));
    },
  });
}

function parseHeader(line: string): EventLogHeader {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new EventLogFormatError("the first line is not JSON: not an SSLTrackr event log");
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const found = json as { format?: unknown; version?: unknown } | null;
    throw new EventLogFormatError(
      found?.format === EVENT_LOG_FORMAT
        ? `unsupported ${EVENT_LOG_FORMAT} version ${String(found.version)} (this release reads version ${EVENT_LOG_VERSION})`
        : `not an SSLTrackr event log (header: ${line.slice(0, 200)})`,
    );
  }
  return parsed.data;
}

/**
 * Loads an event log written by `exportEventLog` into the (empty) event store of `schema`,
 * in one transaction: all of it or nothing. Events keep their ids, streams, revisions, data,
 * metadata and recording times, and their global order; positions are assigned anew. The
 * read models are not touched: project them afterwards.
 */
export async function importEventLog(pool: pg.Pool, input: Readable, options: { schema?: string } = {}): Promise<EventLogHeader & { streams: number }> {
  const schema = ident(options.schema ?? "eventstore");
  return inTransaction(pool, "", async (client) => {
    // Appends wait for this restore instead of interleaving with it.
    await client.query(`lock table ${schema}.events in exclusive mode`);
    const { rows: existing } = await client.query<{ n: string }>(`select count(*) as n from ${schema}.events`);
    if (Number(existing[0]!.n) > 0) {
      throw new EventStoreNotEmptyError(`the event store already holds ${existing[0]!.n} events: restore into an empty database`);
    }
    await client.query(`create temp table event_log_lines (n bigint generated always as identity, line text not null) on commit drop`);
    let header: EventLogHeader | undefined;
    await pipeline(
      input,
      headerSplitter((line) => (header = parseHeader(line))),
      client.query(copyFrom(`copy event_log_lines (line) from stdin ${RAW_LINES}`)),
    );
    if (!header) throw new EventLogFormatError("empty file: not an SSLTrackr event log");
    const inserted = await client
      .query(
        `insert into ${schema}.events (stream_name, revision, event_id, event_type, data, metadata, created_at)
         select e->>'stream', (e->>'revision')::bigint, (e->>'id')::uuid, e->>'type', e->'data', coalesce(e->'metadata', '{}'),
                (e->>'recorded_at')::timestamptz
         from (select n, line::jsonb as e from event_log_lines) lines order by n`,
      )
      .catch((err: unknown) => {
        throw new EventLogFormatError(`an event line is invalid: ${err instanceof Error ? err.message : String(err)}`);
      });
    if (inserted.rowCount !== header.events) {
      throw new EventLogFormatError(`the header announces ${header.events} events but the file holds ${inserted.rowCount}: it is incomplete`);
    }
    const gap = await client.query<{ stream_name: string }>(
      `select stream_name from ${schema}.events group by stream_name having min(revision) <> 0 or max(revision) <> count(*) - 1 limit 1`,
    );
    if (gap.rows[0]) throw new EventLogFormatError(`stream "${gap.rows[0].stream_name}" has missing revisions`);
    const streams = await client.query(
      `insert into ${schema}.streams (stream_name, revision) select stream_name, max(revision) from ${schema}.events group by stream_name
       on conflict (stream_name) do update set revision = excluded.revision`,
    );
    return { ...header, streams: streams.rowCount ?? 0 };
  });
}
