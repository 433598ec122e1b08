// Event store adapter on PostgreSQL: the default, and what the embedded database runs.
import pg from "pg";
import {
  APPEND_OUTCOME_UNKNOWN,
  comparePositions,
  StreamConflictsError,
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type EventTypeFilter,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalPosition,
  type Narrowing,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeToAllOptions,
  type SubscriptionMessage,
} from "../eventStore.js";
import { UnavailableError } from "../../../shared/errors.js";
import { DATABASE_RETRY_AFTER_SECONDS, isConnectionFailure } from "../../postgres/connectionFailure.js";
import { ListenSession } from "../../postgres/listenSession.js";
import { AppendNotifier } from "./appendNotifier.js";
import { ensureEventStoreSchema } from "./schema.js";

interface EventRow {
  position: string;
  transaction_id: string;
  stream_name: string;
  revision: string;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  created_at: Date;
  /** The index of the Narrowing applied to `data` (narrowed reads only), or null. */
  narrowed?: number | null;
}

const eventColumns = (events: readonly EventToAppend[]) => [
  events.map((e) => e.id),
  events.map((e) => e.type),
  events.map((e) => JSON.stringify(e.data)),
  events.map((e) => JSON.stringify(e.metadata ?? {})),
];

const toAppendResult = (row: { next_revision: string; last_transaction: string; last_position: string }): AppendResult => ({
  nextExpectedRevision: BigInt(row.next_revision),
  position: { commit: BigInt(row.last_transaction), prepare: BigInt(row.last_position) },
});

/** The connection was lost or refused around the commit: it may have happened or not. */
const appendFailure = (err: unknown): unknown =>
  isConnectionFailure(err) ? new UnavailableError(APPEND_OUTCOME_UNKNOWN, DATABASE_RETRY_AFTER_SECONDS) : err;

const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.event_type,
  streamName: row.stream_name,
  revision: BigInt(row.revision),
  position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.position) },
  data: row.data,
  metadata: row.metadata,
  createdAt: row.created_at,
});

/** A row of a narrowed read, marked with the Narrowing its data went through (narrowedColumns), if any. */
const toNarrowedRecord =
  (narrow: readonly Narrowing[]) =>
  (row: EventRow): RecordedEvent =>
    typeof row.narrowed === "number" ? { ...toRecorded(row), narrowed: narrow[row.narrowed]! } : toRecorded(row);

// transaction_id goes out as text (xid8 has no JS type). The output column keeps its name, so
// an ORDER BY must name events.transaction_id: a bare name would sort by the text (the wrong
// order, "10" < "9", and no index).
const COLUMNS = "position, transaction_id::text, stream_name, revision, event_id, event_type, data, metadata, created_at";

/**
 * COLUMNS with `data` narrowed where a Narrowing applies, and `narrowed`: which one. Each
 * reference to a stored document unpacks it again (TOAST: fetch and decompress), so it is
 * unpacked once (`data #> '{}'`, the whole document: an empty path hands back the unpacked
 * value) in a subquery kept apart (offset 0), its member taken out of that in another, and the
 * kept members built from the member: a kept member it lacks comes as null. (Referring to
 * `data` twice, for the document and for its member, unpacked an SSL result twice: 15-25% of
 * the narrowing's time, psql over 58k results.) Types and members come from code, not from
 * requests; they are quoted all the same.
 */
function narrowedColumns(narrow: readonly Narrowing[]): string {
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const applies = narrow.map((n) => `event_type = ${literal(n.type)} and coalesce((metadata ->> 'schemaVersion')::int, 1) = ${Math.trunc(n.schemaVersion)}`);
  const narrowedData = narrow.map((n) => {
    const kept = n.keep.map((k) => `${literal(k)}, x.m -> ${literal(k)}`).join(", ");
    return `(select jsonb_set(x.d, array[${literal(n.member)}], jsonb_build_object(${kept})) from (select u.d, u.d -> ${literal(n.member)} as m from (select data #> '{}' as d offset 0) u offset 0) x)`;
  });
  return COLUMNS.replace(
    ", data, ",
    `, case ${applies.map((a, i) => `when ${a} then ${narrowedData[i]}`).join(" ")} else data end as data, case ${applies.map((a, i) => `when ${a} then ${i}`).join(" ")} end as narrowed, `,
  );
}

/** An expectation as append_events and append_to_streams take it: kind, and the revision if exact. */
const expectation = (expected: ExpectedRevision): [string, string | null] =>
  typeof expected === "bigint" ? ["exact", expected.toString()] : [expected, null];

const actualRevision = (detail: string | undefined): bigint | "no_stream" =>
  detail === "no_stream" || detail === undefined ? "no_stream" : BigInt(detail);

/** Two multi-stream appends that wait on each other's heads; PostgreSQL rolled one back. */
const DEADLOCK_RETRIES = 3;

/**
 * Names of the append statements, prepared once per connection. A prepared statement keeps the
 * result type it was planned with, so a change of append_events' or append_to_streams' results
 * (schema.ts) comes with a new version here: connections of processes still running the old
 * code keep their own statements.
 */
const statementName = (schema: string, statement: string) => `${schema}.${statement}.v1`;

/** First wait before reading again while events are held back; it doubles up to the poll interval. */
const FIRST_HELD_BACK_RETRY_MS = 2;

export interface PostgresEventStoreOptions {
  readonly schema?: string;
  /** How often a subscriber polls when nothing wakes it. */
  readonly pollIntervalMs?: number;
  readonly subscriptionBatchSize?: number;
  /**
   * The process's LISTEN connection, shared with its other listeners; without one the store
   * opens (and closes) its own.
   */
  readonly listenSession?: ListenSession;
}

export class PostgresEventStore implements EventStore {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly notifier: AppendNotifier;
  /** The LISTEN connection this store opened itself (none was given), closed with it. */
  private readonly ownListenSession: ListenSession | undefined;
  readonly logTable: string;

  private constructor(
    private readonly pool: pg.Pool,
    connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    this.schema = options.schema ?? "eventstore";
    this.logTable = `${this.schema}.events`;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.subscriptionBatchSize ?? 500;
    const listenSession = options.listenSession ?? new ListenSession(connectionString);
    this.ownListenSession = options.listenSession ? undefined : listenSession;
    this.notifier = new AppendNotifier(pool, listenSession, `${this.schema}_appended`);
  }

  static async connect(
    pool: pg.Pool,
    connectionString: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(pool, connectionString, options);
    await ensureEventStoreSchema(pool, store.schema);
    return store;
  }

  readonly atomicMultiStreamAppends = true;

  async appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error("appendToStream needs at least one event");
    const expected = options.expectedRevision ?? "any";
    const [kind, revision] = expectation(expected);
    // Transaction-local, so it ends with this one-statement transaction.
    const deferFlush = options.deferFlush ? ", set_config('synchronous_commit', 'off', true)" : "";
    try {
      const { rows } = await this.pool.query<{ next_revision: string; last_transaction: string; last_position: string }>({
        // Prepared once per connection: parsing and planning it was PostgreSQL's work on every append.
        name: statementName(this.schema, options.deferFlush ? "append_events.deferred" : "append_events"),
        text: `select next_revision, last_transaction::text, last_position${deferFlush} from ${this.schema}.append_events($1, $2, $3, $4, $5, $6::jsonb[], $7::jsonb[])`,
        values: [streamName, kind, revision, ...eventColumns(events)],
      });
      const row = rows[0];
      if (!row) throw new Error(`append to ${streamName} returned no result`);
      this.notifier.appended();
      return toAppendResult(row);
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code === "ES409") throw new WrongExpectedVersionError(streamName, expected, actualRevision(err.detail));
      throw appendFailure(err);
    }
  }

  /** One statement, one transaction: every append or none (append_to_streams in schema.ts). */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await this.appendOn(this.pool, appends);
        this.notifier.appended();
        return results;
      } catch (err) {
        if (!(err instanceof pg.DatabaseError && err.code === "40P01" && attempt < DEADLOCK_RETRIES)) throw err;
      }
    }
  }

  /**
   * appendToStreams inside a transaction the caller holds on `client` (a connection to this
   * store's database), so that what else it writes there commits with the events, or not at
   * all: inline projections (issue 12). Same rules and errors, except that a deadlock
   * (SQLSTATE 40P01) rolls back the caller's whole transaction and is its to retry. Also
   * returns the events as recorded, in log order, or null for a retried append (its events
   * were recorded by an earlier transaction). The caller calls `appended()` once it commits.
   */
  async appendWithin(client: pg.ClientBase, appends: readonly StreamAppend[]): Promise<{ results: AppendResult[]; recorded: RecordedEvent[] | null }> {
    const results = await this.appendOn(client, appends);
    const { rows } = await client.query<{ event_id: string; position: string; created_at: Date }>({
      name: statementName(this.schema, "appended_events"),
      text: `select event_id, position, created_at from ${this.schema}.events where transaction_id = pg_current_xact_id() order by position`,
    });
    const stored = new Map(rows.map((r) => [r.event_id, r]));
    const recorded: RecordedEvent[] = [];
    appends.forEach(({ streamName, events }, i) => {
      const first = results[i]!.nextExpectedRevision - BigInt(events.length) + 1n;
      events.forEach((e, k) => {
        const row = stored.get(e.id);
        if (!row) return;
        const transaction = results[i]!.position.commit;
        // As a reader gets it back from the log: JSON (an encoder may have left Dates in).
        const data = JSON.parse(JSON.stringify(e.data)) as unknown;
        recorded.push({ id: e.id, type: e.type, streamName, revision: first + BigInt(k), position: { commit: transaction, prepare: BigInt(row.position) }, data, metadata: e.metadata ?? {}, createdAt: row.created_at });
      });
    });
    if (recorded.length !== appends.reduce((n, a) => n + a.events.length, 0)) return { results, recorded: null };
    return { results, recorded: recorded.sort((a, b) => comparePositions(a.position, b.position)) };
  }

  /** Wakes this process's subscribers (and, through NOTIFY, other processes') after a commit. */
  appended(): void {
    this.notifier.appended();
  }

  private async appendOn(client: pg.Pool | pg.ClientBase, appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (appends.some((a) => a.events.length === 0)) throw new Error("appendToStreams needs at least one event per stream");
    if (new Set(appends.map((a) => a.streamName)).size !== appends.length) throw new Error("appendToStreams takes each stream once");
    if (appends.length === 0) return [];
    const expectations = appends.map((a) => expectation(a.expectedRevision ?? "any"));
    const firsts: number[] = [];
    let offset = 0;
    for (const a of appends) {
      firsts.push(offset);
      offset += a.events.length;
    }
    const params = [
      appends.map((a) => a.streamName),
      expectations.map(([kind]) => kind),
      expectations.map(([, revision]) => revision),
      firsts,
      appends.map((a) => a.events.length),
      ...eventColumns(appends.flatMap((a) => a.events)),
    ];
    try {
      const { rows } = await client.query<{ stream_index: number; next_revision: string; last_transaction: string; last_position: string }>({
        name: statementName(this.schema, "append_to_streams"),
        text: `select stream_index, next_revision, last_transaction::text, last_position
         from ${this.schema}.append_to_streams($1, $2, $3, $4, $5, $6, $7, $8::jsonb[], $9::jsonb[])`,
        values: params,
      });
      const results: AppendResult[] = new Array(appends.length);
      for (const row of rows) results[row.stream_index - 1] = toAppendResult(row);
      return results;
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code === "40P01") throw err;
      if (err instanceof pg.DatabaseError && err.code === "ES409") {
        const conflicts = (JSON.parse(err.detail ?? "[]") as { index: number; actual: string }[]).map(({ index, actual }) => {
          const append = appends[index - 1]!;
          return new WrongExpectedVersionError(append.streamName, append.expectedRevision ?? "any", actualRevision(actual));
        });
        throw new StreamConflictsError(conflicts, 0);
      }
      throw appendFailure(err);
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === "backwards";
    const params: unknown[] = [streamName];
    let where = "stream_name = $1";
    if (options.fromRevision !== undefined) {
      params.push(options.fromRevision.toString());
      where += backwards ? ` and revision <= $2` : ` and revision >= $2`;
    }
    params.push(options.maxCount ?? null);
    const { rows } = await this.pool.query<EventRow>(
      `select ${COLUMNS} from ${this.schema}.events where ${where}
       order by revision ${backwards ? "desc" : "asc"} limit $${params.length}`,
      params,
    );
    return rows.map(toRecorded);
  }

  async findEvent(streamName: string, eventId: string): Promise<RecordedEvent | null> {
    const { rows } = await this.pool.query<EventRow>(
      `select ${COLUMNS} from ${this.schema}.events where event_id = $1 and stream_name = $2`,
      [eventId, streamName],
    );
    return rows[0] ? toRecorded(rows[0]) : null;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.readPage(options)).events;
  }

  /**
   * One page of the log after `after`, and how far it was read: `considered` is the last
   * position every event up to which has been looked at (delivered, or skipped by the type
   * filter); null when nothing was.
   */
  private async readPage({ after, maxCount, eventTypes, narrow = [] }: ReadAllOptions & Pick<SubscribeToAllOptions, "narrow">): Promise<{ events: RecordedEvent[]; considered: GlobalPosition | null }> {
    // Only transactions older than every running one of ours are final: reading below that
    // horizon (read_horizon in schema.ts, from the page's own snapshot) means a transaction
    // that commits later can never land behind us. Materialized, it is computed once for the
    // statement; it comes back with the page, even an empty one. The page's positions are
    // chosen first and its rows fetched by key after, so a plan that sorts sorts keys, not data.
    const { rows } = await this.pool.query<EventRow & { horizon: string }>(
      `with h as materialized (select ${this.schema}.read_horizon($1::text::xid8, $2::bigint) as horizon)
       select h.horizon::text as horizon, e.* from h
       left join lateral (
         select ${narrow.length > 0 ? narrowedColumns(narrow) : COLUMNS} from ${this.schema}.events where position = any(array(${eventTypes ? this.typedPage() : this.page()}))
       ) e on true`,
      [(after?.commit ?? 0n).toString(), (after?.prepare ?? 0n).toString(), maxCount, ...(eventTypes ? [eventTypes] : [])],
    );
    const events = rows
      .filter((r) => r.event_id !== null)
      .map(narrow.length > 0 ? toNarrowedRecord(narrow) : toRecorded)
      .sort((a, b) => comparePositions(a.position, b.position));
    const last = events.at(-1)?.position ?? null;
    if (!eventTypes || events.length === maxCount) return { events, considered: last };
    // Every event of a transaction below the horizon has been looked at; those are final, so
    // a second statement bounded by the same horizon sees exactly the same ones.
    const { rows: newest } = await this.pool.query<{ transaction_id: string; position: string }>(
      `select transaction_id::text, position from ${this.schema}.events
       where transaction_id < $1::text::xid8 and (transaction_id, position) > ($2::text::xid8, $3::bigint)
       order by events.transaction_id desc, events.position desc limit 1`,
      [rows[0]?.horizon ?? "0", (after?.commit ?? 0n).toString(), (after?.prepare ?? 0n).toString()],
    );
    const row = newest[0];
    return { events, considered: row ? { commit: BigInt(row.transaction_id), prepare: BigInt(row.position) } : last };
  }

  /** Positions of the next $3 events after ($1, $2) below the horizon h.horizon. */
  private page(): string {
    return `select position from ${this.schema}.events
      where (transaction_id, position) > ($1::text::xid8, $2::bigint) and transaction_id < h.horizon
      order by events.transaction_id, events.position limit $3`;
  }

  /** The same for the types in $4: a range of events_type_order per type, merged. */
  private typedPage(): string {
    return `select p.position from unnest($4::text[]) as t(type) cross join lateral (
        select transaction_id, position from ${this.schema}.events
        where event_type = t.type and (transaction_id, position) > ($1::text::xid8, $2::bigint) and transaction_id < h.horizon
        order by events.transaction_id, events.position limit $3) p
      order by p.transaction_id, p.position limit $3`;
  }

  async *subscribeToAll({ after, signal, eventTypes, pageSize, coalesce, narrow }: SubscribeToAllOptions): AsyncIterable<SubscriptionMessage> {
    let position = after;
    let heldBackRetryMs = FIRST_HELD_BACK_RETRY_MS;
    const maxCount = pageSize ?? this.batchSize;
    const wakeups = this.notifier.subscribe(signal);
    try {
      while (!signal.aborted) {
        const woken = wakeups.next();
        const { events, considered } = await this.readPage({ after: position, maxCount, ...(eventTypes ? { eventTypes } : {}), ...(narrow ? { narrow } : {}) });
        for (const event of events) {
          yield { kind: "event", event };
          position = event.position;
        }
        if (considered && (!position || comparePositions(considered, position) > 0)) {
          yield { kind: "checkpoint", position: considered };
          position = considered;
        }
        if (events.length < maxCount) {
          yield { kind: "caughtUp" };
          // Committed events that readAll held back behind an older, still running
          // transaction become readable when it ends, and nothing wakes us then: look again
          // soon (backing off) instead of a whole poll interval later.
          if (events.length > 0) heldBackRetryMs = FIRST_HELD_BACK_RETRY_MS;
          if (await this.committedAfter(position)) {
            await woken.wait(heldBackRetryMs);
            heldBackRetryMs = Math.min(heldBackRetryMs * 2, this.pollIntervalMs);
          } else {
            await woken.wait(this.pollIntervalMs);
          }
          await coalesce?.(signal);
        }
      }
    } finally {
      wakeups.close();
    }
  }

  /**
   * Whether committed events lie after `after`, held back or not. Asking whether they are held
   * back right now would race with the holding transaction's end (then we would wait a whole
   * poll interval for events readable at once).
   */
  private async committedAfter(after: GlobalPosition | undefined): Promise<boolean> {
    // ORDER BY ... LIMIT 1 keeps this on the index: as a bare EXISTS the planner expected
    // many rows past a position and scanned the table from its start (250 ms at 200k events).
    const { rows } = await this.pool.query(
      `select 1 from ${this.schema}.events
       where (transaction_id, position) > ($1::text::xid8, $2::bigint)
       order by transaction_id, position limit 1`,
      [(after?.commit ?? 0n).toString(), (after?.prepare ?? 0n).toString()],
    );
    return rows.length > 0;
  }

  async headPosition({ eventTypes }: EventTypeFilter = {}): Promise<GlobalPosition | null> {
    // Per type, the newest on events_type_order; the newest of those.
    const { rows } = await this.pool.query<{ transaction_id: string; position: string }>(
      eventTypes
        ? `select h.transaction_id::text, h.position from unnest($1::text[]) as t(type) cross join lateral (
             select transaction_id, position from ${this.schema}.events where event_type = t.type
             order by events.transaction_id desc, events.position desc limit 1) h
           order by h.transaction_id desc, h.position desc limit 1`
        : `select transaction_id::text, position from ${this.schema}.events
           order by events.transaction_id desc, events.position desc limit 1`,
      eventTypes ? [eventTypes] : [],
    );
    const row = rows[0];
    return row ? { commit: BigInt(row.transaction_id), prepare: BigInt(row.position) } : null;
  }

  async countAfter(after?: GlobalPosition, { eventTypes }: EventTypeFilter = {}): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `select count(*) from ${this.schema}.events where (transaction_id, position) > ($1::text::xid8, $2::bigint)
       ${eventTypes ? "and event_type = any($3::text[])" : ""}`,
      [(after?.commit ?? 0n).toString(), (after?.prepare ?? 0n).toString(), ...(eventTypes ? [eventTypes] : [])],
    );
    return Number(rows[0]?.count ?? 0);
  }

  async close(): Promise<void> {
    await this.notifier.close();
    await this.ownListenSession?.close();
  }
}
