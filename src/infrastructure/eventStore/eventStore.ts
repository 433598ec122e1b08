// The event store port. Two adapters implement it: PostgreSQL (default) and EventStoreDB.
// Everything above this line of the architecture (command handling, projections, history)
// depends only on this module.

/** Optimistic concurrency expectation for an append, as in EventStoreDB. */
export type ExpectedRevision = "any" | "no_stream" | "stream_exists" | bigint;

/**
 * A position in the global log, totally ordered by (commit, prepare).
 * EventStoreDB: its commit/prepare positions. PostgreSQL adapter: commit = the writing
 * transaction's id (xid8), prepare = the event's sequence number; the log is read in
 * that order, which is the order in which transactions become visible to readers.
 */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Who and what caused an event; stored with every event for auditors and tracing. */
export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly userId?: string;
  /** The API key the user acted through, or else the dashboard session (one of the two). */
  readonly apiKeyId?: string;
  readonly sessionId?: string;
  /** W3C trace context of the request that caused the event. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The Idempotency-Key of the request that caused the event (its id is derived from it). */
  readonly idempotencyKey?: string;
  readonly [key: string]: unknown;
}

export interface EventToAppend {
  /** Event id (uuid). Appending the same ids again is an idempotent no-op. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: EventMetadata;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: GlobalPosition;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly createdAt: Date;
  /** Set when the store sent `data` narrowed (SubscribeToAllOptions.narrow): not the whole of it. */
  readonly narrowed?: Narrowing;
}

export interface AppendResult {
  readonly nextExpectedRevision: bigint;
  /** Position of the last appended event: what read-your-writes waits for. */
  readonly position: GlobalPosition;
  /**
   * Projections (by name) whose read models reflect this append once it resolves: they applied
   * its events in the append's own transaction (inline), or handle none of them. Unset: none.
   */
  readonly upToDate?: readonly string[];
}

export interface ReadStreamOptions {
  readonly direction?: "forwards" | "backwards";
  /** Inclusive start revision (from the end when reading backwards and unset). */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

/** Only events of these types; the store skips the others without handing them over. */
export interface EventTypeFilter {
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions extends EventTypeFilter {
  /** Exclusive: events strictly after this position. Unset: from the start. */
  readonly after?: GlobalPosition;
  readonly maxCount: number;
}

export type SubscriptionMessage =
  | { readonly kind: "event"; readonly event: RecordedEvent }
  /** Everything up to `position` has been delivered (filtered-out events included). */
  | { readonly kind: "checkpoint"; readonly position: GlobalPosition }
  /** The subscription has delivered everything that existed when it caught up. */
  | { readonly kind: "caughtUp" };

/**
 * A reader needs only some members of one member of an event type's data: a rebuild that
 * writes a check result by reference to the log (StoredMember) and reads a few of its fields
 * itself. The store may then send `data[member]` with only the `keep` members (null where it
 * has not one: keep members a schema requires, or read absent and null alike), for
 * events stored at `schemaVersion` (older ones are upcast, which may read anything), and marks
 * such events (RecordedEvent.narrowed). An SSL result is 4.6 kB, of which a rebuild reads
 * about 300 bytes (bench/profiles/3-rebuild.md).
 */
export interface Narrowing {
  readonly type: string;
  readonly schemaVersion: number;
  readonly member: string;
  readonly keep: readonly string[];
}

export interface SubscribeToAllOptions extends EventTypeFilter {
  readonly after?: GlobalPosition;
  readonly signal: AbortSignal;
  /** Events read per round trip while catching up (a hint; rebuilds read large pages). */
  readonly pageSize?: number;
  /**
   * Once caught up, awaited after each wake-up (new appends, a poll, a retry for events held
   * back) before reading again (default: read at once), so that a burst arrives as one page
   * instead of one per append: live projections commit a transaction per page. It resolves when
   * the subscriber wants the page (at the latest when `signal` aborts). A store that pushes
   * events as they are written may ignore it.
   */
  readonly coalesce?: (signal: AbortSignal) => Promise<void>;
  /** At most one per type. A store that cannot narrow in its read sends whole events. */
  readonly narrow?: readonly Narrowing[];
}

export interface AppendOptions {
  readonly expectedRevision?: ExpectedRevision;
  /**
   * Commit without waiting for the write-ahead log to reach disk. Only for an append that the
   * caller follows with an ordinary (flushed) append before acknowledging anything: the log is
   * flushed in order, so that later flush makes this one durable too, and a crash before it
   * loses only what was never acknowledged. Adapters whose appends are always durable ignore it.
   */
  readonly deferFlush?: boolean;
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamName: string;
  readonly events: readonly EventToAppend[];
  readonly expectedRevision?: ExpectedRevision;
}

export interface EventStore {
  appendToStream(streamName: string, events: readonly EventToAppend[], options?: AppendOptions): Promise<AppendResult>;
  /**
   * Whether appendToStreams is one transaction (all appends or none), or a sequence of
   * single-stream appends (EventStoreDB has no transaction across streams).
   */
  readonly atomicMultiStreamAppends: boolean;
  /**
   * Appends to several distinct streams, each with its own expected revision (and the same
   * idempotent-retry rule as appendToStream), in the order given: the events' global
   * positions follow it. Returns one result per append, in that order. A wrong expected
   * revision throws StreamConflictsError: an atomic store checks every append first and
   * names every conflict, having appended nothing; a sequential one stops at the first
   * conflict, the appends before it staying appended. Always durable when it resolves.
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** A stream that does not exist reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * The event of `streamName` with this id, or null. Used to recognise a command that was
   * already applied (ids derived from an Idempotency-Key).
   */
  findEvent(streamName: string, eventId: string): Promise<RecordedEvent | null>;
  /** The global log without system events, in position order. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Catch-up subscription to the global log: delivers history, then live events, until the
   * signal aborts. Adapters resubscribe by themselves after transient failures. With a type
   * filter, checkpoints carry the position through stretches of other events.
   */
  subscribeToAll(options: SubscribeToAllOptions): AsyncIterable<SubscriptionMessage>;
  /**
   * The table the log is kept in, in the database the store connects to (PostgreSQL adapter),
   * with columns event_id (uuid) and data (jsonb) as appended. Projections writing into the
   * same database take large stored values out of it rather than sending them back
   * (StoredMember in projections/rowWrites.ts). Absent where the log is not a table.
   */
  readonly logTable?: string;
  /** Position of the newest event in the global log (of the given types), or null when there is none. */
  headPosition(filter?: EventTypeFilter): Promise<GlobalPosition | null>;
  /**
   * How many events follow `after` (all of them when unset), where the store can count
   * cheaply; absent otherwise (EventStoreDB). Used for lag and progress reports only.
   */
  countAfter?(after?: GlobalPosition, filter?: EventTypeFilter): Promise<number>;
  close(): Promise<void>;
}

/**
 * What an adapter's append says when the store was lost while committing (it is thrown as a
 * 503 UnavailableError): the events may or may not be stored.
 */
export const APPEND_OUTCOME_UNKNOWN =
  "The event store became unavailable while saving the change; it may have been applied. " +
  "Retry with the same Idempotency-Key to get its outcome without applying it twice";

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | "no_stream",
  ) {
    super(`Wrong expected version for stream ${streamName}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = "WrongExpectedVersionError";
  }
}

/**
 * A multi-stream append refused: `conflicts` names each stream whose expected revision was
 * wrong; `applied` of the appends (the first ones) were appended all the same, always 0 on a
 * store whose multi-stream appends are atomic.
 */
export class StreamConflictsError extends Error {
  constructor(
    readonly conflicts: readonly WrongExpectedVersionError[],
    readonly applied: number,
  ) {
    super(`Wrong expected version for ${conflicts.length} stream(s): ${conflicts.map((c) => c.streamName).join(", ")}`);
    this.name = "StreamConflictsError";
  }
}

/**
 * appendToStreams for a store without transactions across streams: one appendToStream after
 * the other, in the order given, stopping at the first conflict.
 */
export async function appendInSequence(
  append: EventStore["appendToStream"],
  appends: readonly StreamAppend[],
): Promise<AppendResult[]> {
  if (new Set(appends.map((a) => a.streamName)).size !== appends.length) throw new Error("appendToStreams takes each stream once");
  const results: AppendResult[] = [];
  for (const { streamName, events, expectedRevision } of appends) {
    try {
      results.push(await append(streamName, events, expectedRevision === undefined ? {} : { expectedRevision }));
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) throw new StreamConflictsError([err], results.length);
      throw err;
    }
  }
  return results;
}

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export const formatPosition = (p: GlobalPosition): string => `${p.commit}/${p.prepare}`;
