// Event store adapter on EventStoreDB, chosen by an esdb:// EVENTSTORE_URL.
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  type Direction,
  type ReadPosition,
  type ResolvedEvent,
} from "@eventstore/db-client";
import {
  appendInSequence,
  comparePositions,
  type AppendOptions,
  type AppendResult,
  type EventTypeFilter,
  type EventStore,
  type EventToAppend,
  type GlobalPosition,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeToAllOptions,
  type SubscriptionMessage,
} from "../eventStore.js";
import { isSystemEvent, toClientRevision, toEventData, toGlobalPosition, toPortError, toReadError, toRecordedEvent } from "./mapping.js";
import { resubscribing } from "./resubscribing.js";
import { serverSubscription } from "./serverSubscription.js";

export interface EventStoreDbEventStoreOptions {
  /** Pause before resubscribing a dropped subscription; doubles on each failed attempt. */
  readonly resubscribeDelayMs?: number;
  readonly maxResubscribeDelayMs?: number;
  /** Told why a subscription dropped, before it is resubscribed (e.g. to log it). */
  readonly onSubscriptionDropped?: (reason: unknown) => void;
}

/**
 * How far back findEvent looks: the events a stream gains in a day (the Idempotency-Key's
 * lifetime) after a command, with a wide margin (checks add a few a day).
 */
const FIND_EVENT_SCAN = 1000;

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const resolved of read) {
    const event = toRecordedEvent(resolved);
    if (event) events.push(event);
  }
  return events;
}

export class EventStoreDbEventStore implements EventStore {
  private readonly closing = new AbortController();

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EventStoreDbEventStoreOptions,
  ) {}

  /** Connects and reads the head of $all once, so that a wrong address fails here and not later. */
  static async connect(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): Promise<EventStoreDbEventStore> {
    const store = new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options);
    try {
      await store.headPosition();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  async appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error("appendToStream needs at least one event");
    const expected = options.expectedRevision ?? "any";
    try {
      const result = await this.client.appendToStream(streamName, events.map(toEventData), {
        expectedRevision: toClientRevision(expected),
      });
      const { nextExpectedRevision } = result;
      const position = result.position
        ? toGlobalPosition(result.position)
        : await this.positionOf(streamName, nextExpectedRevision);
      return { nextExpectedRevision, position };
    } catch (err) {
      throw toPortError(err, streamName, expected);
    }
  }

  /** EventStoreDB commits one stream at a time. */
  readonly atomicMultiStreamAppends = false;

  /**
   * One append after the other, in the order given, stopping at the first conflict: callers
   * order their appends so that what is appended first is safe to leave on its own (a hostname
   * reservation before its domain; docs/eventstoredb.md).
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return appendInSequence((stream, events, options) => this.appendToStream(stream, events, options), appends);
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === "backwards";
    const read = this.client.readStream(streamName, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision ?? (backwards ? END : START),
      maxCount: options.maxCount,
    });
    try {
      return await collect(read);
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw toReadError(err);
    }
  }

  /** EventStoreDB looks events up by stream and revision only: scan back from the end. */
  async findEvent(streamName: string, eventId: string): Promise<RecordedEvent | null> {
    const recent = await this.readStream(streamName, { direction: "backwards", maxCount: FIND_EVENT_SCAN });
    return recent.find((e) => e.id === eventId) ?? null;
  }

  /** $all reads start at (not after) a position and include system events: page until enough. */
  async readAll({ after, maxCount, eventTypes }: ReadAllOptions): Promise<RecordedEvent[]> {
    const wanted = (type: string) => !isSystemEvent(type) && (!eventTypes || eventTypes.includes(type));
    const found: RecordedEvent[] = [];
    let cursor = after;
    while (found.length < maxCount) {
      const pageSize = maxCount - found.length + 1; // the event at the cursor comes back first
      const page = await this.readAllPage(cursor ?? START, FORWARDS, pageSize);
      const since = cursor;
      const fresh = page.filter((e) => !since || comparePositions(e.position, since) > 0);
      found.push(...fresh.filter((e) => wanted(e.type)));
      const last = page.at(-1);
      if (!last || page.length < pageSize) break;
      cursor = last.position;
    }
    return found.slice(0, maxCount);
  }

  subscribeToAll({ after, signal, eventTypes }: SubscribeToAllOptions): AsyncIterable<SubscriptionMessage> {
    return resubscribing(
      (from, stopped) => serverSubscription(this.client, from, stopped, eventTypes),
      after,
      AbortSignal.any([signal, this.closing.signal]),
      {
        initialDelayMs: this.options.resubscribeDelayMs ?? 100,
        maxDelayMs: this.options.maxResubscribeDelayMs ?? 5_000,
        onDropped: this.options.onSubscriptionDropped,
      },
    );
  }

  /** Reads $all backwards one event, and further only while it finds system (or unwanted) events. */
  async headPosition({ eventTypes }: EventTypeFilter = {}): Promise<GlobalPosition | null> {
    let before: GlobalPosition | undefined;
    for (let pageSize = 1; ; pageSize = Math.min(pageSize * 8, 512)) {
      const page = await this.readAllPage(before ?? END, BACKWARDS, pageSize);
      const bound = before;
      const newest = page.find(
        (e) => !isSystemEvent(e.type) && (!eventTypes || eventTypes.includes(e.type)) && (!bound || comparePositions(e.position, bound) < 0),
      );
      if (newest) return newest.position;
      const oldest = page.at(-1);
      if (!oldest || page.length < pageSize) return null;
      before = oldest.position;
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.client.dispose();
  }

  private readAllPage(fromPosition: ReadPosition, direction: Direction, maxCount: number): Promise<RecordedEvent[]> {
    return collect(this.client.readAll({ fromPosition, direction, maxCount }));
  }

  /** Some server versions answer an idempotent retry without a position: look the event up. */
  private async positionOf(streamName: string, revision: bigint): Promise<GlobalPosition> {
    const [event] = await this.readStream(streamName, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`event ${revision} of ${streamName} not found after appending it`);
    return event.position;
  }
}
