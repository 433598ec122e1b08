// Event store adapter on PostgreSQL: the default, and what the embedded database runs.
import pg from "pg";
import {
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type GlobalPosition,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type SubscriptionMessage,
} from "../eventStore.js";
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
}

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

// transaction_id goes out as text (xid8 has no JS type). The output column keeps its name, so
// an ORDER BY must name events.transaction_id: a bare name would sort by the text (the wrong
// order, "10" < "9", and no index).
const COLUMNS = "position, transaction_id::text, stream_name, revision, event_id, event_type, data, metadata, created_at";

/** First wait before reading again while events are held back; it doubles up to the poll interval. */
const FIRST_HELD_BACK_RETRY_MS = 2;

export interface PostgresEventStoreOptions {
  readonly schema?: string;
  /** How often a subscriber polls when nothing wakes it. */
  readonly pollIntervalMs?: number;
  readonly subscriptionBatchSize?: number;
}

export class PostgresEventStore implements EventStore {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly notifier: AppendNotifier;

  private constructor(
    private readonly pool: pg.Pool,
    connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    this.schema = options.schema ?? "eventstore";
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.subscriptionBatchSize ?? 500;
    this.notifier = new AppendNotifier(pool, connectionString, `${this.schema}_appended`);
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

  async appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error("appendToStream needs at least one event");
    const expected = options.expectedRevision ?? "any";
    const [kind, revision] = typeof expected === "bigint" ? ["exact", expected.toString()] : [expected, null];
    // Transaction-local, so it ends with this one-statement transaction.
    const deferFlush = options.deferFlush ? ", set_config('synchronous_commit', 'off', true)" : "";
    try {
      const { rows } = await this.pool.query<{ next_revision: string; last_transaction: string; last_position: string }>(
        `select next_revision, last_transaction::text, last_position${deferFlush} from ${this.schema}.append_events($1, $2, $3, $4, $5, $6::jsonb[], $7::jsonb[])`,
        [
          streamName,
          kind,
          revision,
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata ?? {})),
        ],
      );
      const row = rows[0];
      if (!row) throw new Error(`append to ${streamName} returned no result`);
      this.notifier.appended();
      return {
        nextExpectedRevision: BigInt(row.next_revision),
        position: { commit: BigInt(row.last_transaction), prepare: BigInt(row.last_position) },
      };
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code === "ES409") {
        const actual = err.detail === "no_stream" || err.detail === undefined ? "no_stream" : BigInt(err.detail);
        throw new WrongExpectedVersionError(streamName, expected, actual);
      }
      throw err;
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

  async readAll({ after, maxCount }: ReadAllOptions): Promise<RecordedEvent[]> {
    // Only transactions older than every running one are final: reading below the
    // snapshot's xmin means a transaction that commits later can never land behind us.
    const { rows } = await this.pool.query<EventRow>(
      `select ${COLUMNS} from ${this.schema}.events
       where (transaction_id, position) > ($1::text::xid8, $2::bigint)
         and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       order by events.transaction_id, events.position
       limit $3`,
      [(after?.commit ?? 0n).toString(), (after?.prepare ?? 0n).toString(), maxCount],
    );
    return rows.map(toRecorded);
  }

  async *subscribeToAll({ after, signal }: SubscribeToAllOptions): AsyncIterable<SubscriptionMessage> {
    let position = after;
    let heldBackRetryMs = FIRST_HELD_BACK_RETRY_MS;
    const wakeups = this.notifier.subscribe(signal);
    try {
      while (!signal.aborted) {
        const woken = wakeups.next();
        const events = await this.readAll({ after: position, maxCount: this.batchSize });
        for (const event of events) {
          yield { kind: "event", event };
          position = event.position;
        }
        if (events.length < this.batchSize) {
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

  async headPosition(): Promise<GlobalPosition | null> {
    const { rows } = await this.pool.query<{ transaction_id: string; position: string }>(
      `select transaction_id::text, position from ${this.schema}.events
       order by events.transaction_id desc, events.position desc limit 1`,
    );
    const row = rows[0];
    return row ? { commit: BigInt(row.transaction_id), prepare: BigInt(row.position) } : null;
  }

  async countAfter(after?: GlobalPosition): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `select count(*) from ${this.schema}.events where (transaction_id, position) > ($1::text::xid8, $2::bigint)`,
      [(after?.commit ?? 0n).toString(), (after?.prepare ?? 0n).toString()],
    );
    return Number(rows[0]?.count ?? 0);
  }

  async close(): Promise<void> {
    await this.notifier.close();
  }
}
