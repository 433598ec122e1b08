// Inline projections (issue 12): on the PostgreSQL store, a projection that can apply one
// append's events by itself (Projection.applyInline: per-stream rows guarded by the stream
// revision) applies them in the append's own transaction, so the write's response waits for
// nothing: a create was an append, then ~30 ms of waiting for the runner to read the log
// (below the server-wide snapshot horizon) and commit a batch. Marten and Emmett call these
// inline projections. The runner still applies every event in log order with its checkpoint
// (its guards make the second application harmless), so rebuilds, partitions and
// EventStoreDB work as before; on EventStoreDB (no transaction shared with the read models)
// writes keep waiting for the runner.
//
// Group commit: concurrent appends of this process share transactions. While a transaction is
// in flight, appends queue; the next transaction takes all of them (each stream once) as one
// multi-stream append, one inline projection and one commit. At 20 concurrent creates that is
// one BEGIN, append, projection and COMMIT (and one WAL flush) for many creates instead of one
// each; a lone append goes at once, as before. If a shared transaction fails, each of its
// appends runs again alone, so every caller gets its own answer (a conflict, a result):
// retrying is safe, an append recognises its own events already stored (a commit whose outcome
// was lost).
import type { Knex } from "knex";
import pg from "pg";
import { UnavailableError } from "../../shared/errors.js";
import {
  APPEND_OUTCOME_UNKNOWN,
  StreamConflictsError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
  type StreamAppend,
} from "../eventStore/eventStore.js";
import { PostgresEventStore } from "../eventStore/postgres/postgresEventStore.js";
import { DATABASE_RETRY_AFTER_SECONDS, isConnectionFailure } from "../postgres/connectionFailure.js";
import { withSpan } from "../telemetry/tracing.js";
import type { Projection } from "./projection.js";
import { liveTarget } from "./projectionTarget.js";
import { readLogFrom } from "./rowWrites.js";

/** Two multi-stream appends that wait on each other's heads; PostgreSQL rolled one back. */
const DEADLOCK_RETRIES = 3;
/**
 * Shared transactions in flight at once: a second one fills while the first commits, and one
 * that waits for a stream another process holds does not stall every write.
 */
const GROUP_COMMITS_IN_FLIGHT = 2;
/** Appends per shared transaction (bounds its statement and the events projected at once). */
const GROUP_COMMIT_MAX_APPENDS = 200;

/** An append (of one or several streams) waiting for a shared transaction. */
interface QueuedAppend {
  readonly appends: readonly StreamAppend[];
  readonly deferFlush: boolean;
  resolve(results: AppendResult[]): void;
  reject(err: unknown): void;
}

/**
 * `store` with inline projections where it can have them (the PostgreSQL store, and some of
 * `projections` able to apply inline); otherwise `store` itself. `knex` must reach the same
 * database as the store. `onError` hears of an inline application that failed: the append
 * still commits, and its write waits for the runner instead.
 */
export function withInlineProjections(
  store: EventStore,
  knex: Knex,
  projections: readonly Projection[],
  onError: (projection: string, err: unknown) => void = () => undefined,
): EventStore {
  if (!(store instanceof PostgresEventStore) || !projections.some((p) => p.applyInline)) return store;
  return new InlineProjectingEventStore(store, knex, projections, onError);
}

const transactionConnection = (trx: Knex.Transaction) => (trx.client as { acquireConnection(): Promise<pg.ClientBase> }).acquireConnection();

/** A literal for SQL sent without parameters (search paths are made of projection schemas). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

class InlineProjectingEventStore implements EventStore {
  readonly atomicMultiStreamAppends = true;
  private readonly queue: QueuedAppend[] = [];
  private inFlight = 0;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly knex: Knex,
    private readonly projections: readonly Projection[],
    private readonly onError: (projection: string, err: unknown) => void,
  ) {}

  async appendToStream(streamName: string, events: readonly EventToAppend[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new Error("appendToStream needs at least one event");
    const append: StreamAppend = { streamName, events, ...(options.expectedRevision !== undefined && { expectedRevision: options.expectedRevision }) };
    if (!this.inlineFor([append])) return { ...(await this.store.appendToStream(streamName, events, options)), upToDate: this.untouched([append]) };
    try {
      const [result] = await this.enqueue([append], options.deferFlush ?? false);
      return result!;
    } catch (err) {
      throw err instanceof StreamConflictsError ? err.conflicts[0]! : err;
    }
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (this.inlineFor(appends)) return this.enqueue(appends, false);
    const upToDate = this.untouched(appends);
    return (await this.store.appendToStreams(appends)).map((r) => ({ ...r, upToDate }));
  }

  /**
   * Whether an inline projection handles one of the events: else the store's own one-statement
   * append does, without a transaction of ours or a read back of the events.
   */
  private inlineFor(appends: readonly StreamAppend[]): boolean {
    return appends.some((a) => a.events.some((e) => this.projections.some((p) => p.applyInline && p.eventTypes.has(e.type))));
  }

  /** The projections that handle none of the events: up to date with the append by definition. */
  private untouched(appends: readonly StreamAppend[]): string[] {
    return this.projections.filter((p) => !appends.some((a) => a.events.some((e) => p.eventTypes.has(e.type)))).map((p) => p.name);
  }

  private enqueue(appends: readonly StreamAppend[], deferFlush: boolean): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ appends, deferFlush, resolve, reject });
      this.startGroups();
    });
  }

  private startGroups(): void {
    while (this.inFlight < GROUP_COMMITS_IN_FLIGHT && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight++;
      void this.commitGroup(group).finally(() => {
        this.inFlight--;
        this.startGroups();
      });
    }
  }

  /** The queued appends, oldest first, that touch no stream an older one in the group does. */
  private takeGroup(): QueuedAppend[] {
    const group: QueuedAppend[] = [];
    const streams = new Set<string>();
    for (let i = 0; i < this.queue.length && group.length < GROUP_COMMIT_MAX_APPENDS; ) {
      const queued = this.queue[i]!;
      if (queued.appends.some((a) => streams.has(a.streamName))) {
        i++;
        continue;
      }
      for (const a of queued.appends) streams.add(a.streamName);
      group.push(queued);
      this.queue.splice(i, 1);
    }
    return group;
  }

  private async commitGroup(group: readonly QueuedAppend[]): Promise<void> {
    const [first] = group;
    if (group.length === 1) return this.append(first!.appends, first!.deferFlush).then(first!.resolve, first!.reject);
    let results: AppendResult[];
    try {
      results = await this.append(
        group.flatMap((q) => q.appends),
        group.every((q) => q.deferFlush),
      );
    } catch {
      // Each alone, for its own answer (see the header).
      await Promise.all(group.map((q) => this.append(q.appends, q.deferFlush).then(q.resolve, q.reject)));
      return;
    }
    let offset = 0;
    for (const q of group) {
      // Up to date with the shared append, or with this one's events by having none of them.
      const untouched = this.untouched(q.appends);
      const own = results.slice(offset, offset + q.appends.length);
      q.resolve(own.map((r) => ({ ...r, upToDate: [...new Set([...(r.upToDate ?? []), ...untouched])] })));
      offset += q.appends.length;
    }
  }

  private async append(appends: readonly StreamAppend[], deferFlush: boolean): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await this.knex.transaction(async (trx) => {
          readLogFrom(trx, this.store.logTable);
          if (deferFlush) await trx.raw("select set_config('synchronous_commit', 'off', true)");
          const { results, recorded } = await this.store.appendWithin(await transactionConnection(trx), appends);
          const upToDate = recorded ? await this.project(trx, recorded) : [];
          return results.map((r) => ({ ...r, upToDate }));
        });
        this.store.appended();
        return results;
      } catch (err) {
        if (err instanceof pg.DatabaseError && err.code === "40P01" && attempt < DEADLOCK_RETRIES) continue;
        // Lost at BEGIN or COMMIT: the events may or may not be stored (errors of the append
        // statement itself come mapped from the store).
        throw isConnectionFailure(err) ? new UnavailableError(APPEND_OUTCOME_UNKNOWN, DATABASE_RETRY_AFTER_SECONDS) : err;
      }
    }
  }

  /**
   * Applies `recorded` with every projection able to, under a savepoint: a failure there costs
   * the write its inline projection, never the append. Returns the projections up to date with
   * it: those that applied it, and those that handle none of its types.
   */
  private async project(trx: Knex.Transaction, recorded: readonly RecordedEvent[]): Promise<string[]> {
    const touched = this.projections.filter((p) => recorded.some((e) => p.eventTypes.has(e.type)));
    const upToDate = this.projections.filter((p) => !touched.includes(p)).map((p) => p.name);
    const inline = touched.filter((p) => p.applyInline);
    if (inline.length === 0) return upToDate;
    return withSpan("project inline", { "ssltrackr.projections": inline.map((p) => p.name).join(",") }, async () => {
      for (const p of inline) {
        // Sent without parameters: one round trip for both statements.
        await trx.raw(`savepoint inline_projection; select set_config('search_path', ${literal(liveTarget(p).searchPath)}, true)`);
        try {
          if (await p.applyInline!(trx, recorded)) upToDate.push(p.name);
        } catch (err) {
          await trx.raw("rollback to savepoint inline_projection");
          this.onError(p.name, err);
        }
      }
      return upToDate;
    });
  }

  get logTable(): string {
    return this.store.logTable;
  }

  readStream: EventStore["readStream"] = (streamName, options) => this.store.readStream(streamName, options);
  findEvent: EventStore["findEvent"] = (streamName, eventId) => this.store.findEvent(streamName, eventId);
  readAll: EventStore["readAll"] = (options) => this.store.readAll(options);
  subscribeToAll: EventStore["subscribeToAll"] = (options) => this.store.subscribeToAll(options);
  headPosition: EventStore["headPosition"] = (filter) => this.store.headPosition(filter);
  countAfter: NonNullable<EventStore["countAfter"]> = (after, filter) => this.store.countAfter(after, filter);
  close = (): Promise<void> => this.store.close();
}
