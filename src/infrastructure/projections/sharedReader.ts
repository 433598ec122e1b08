// One read of the log per process: the live projections of a process share one subscription
// (to every event type any of them handles) and each event is decoded once (projection.ts),
// then fanned out to a bounded feed per projection. A projection that falls further behind
// than its feed holds is cut off (its feed ends with FeedOverflowError) and catches up with a
// read of its own, then attaches again; it never holds the others back.
import { setTimeout as sleep } from "node:timers/promises";
import type { EventStore, GlobalPosition, SubscribeToAllOptions, SubscriptionMessage } from "../eventStore/eventStore.js";

export class FeedOverflowError extends Error {}

/** How long the position of a stretch of other projections' events is held before it is passed on. */
const SKIPPED_FLUSH_MS = 500;
/**
 * What the shared reader delivers after `after`, for one projection. Its own events are passed
 * on at once; the positions of other events are coalesced and passed on at most every
 * SKIPPED_FLUSH_MS, so an idle projection does not commit a checkpoint for every batch of
 * the others, yet its checkpoint follows the head within a second.
 */
export class Feed implements AsyncIterable<SubscriptionMessage> {
  private queue: SubscriptionMessage[] = [];
  private overflowed = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private skipped: GlobalPosition | undefined;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The reader's position when the feed was attached: it holds everything after it. */
    readonly after: GlobalPosition | null,
    private readonly eventTypes: ReadonlySet<string>,
    private readonly limit: number,
    private readonly detach: (feed: Feed) => void,
  ) {}

  offer(message: SubscriptionMessage): void {
    if (this.overflowed || this.closed) return;
    if (message.kind === "caughtUp") return;
    if (message.kind === "checkpoint" || !this.eventTypes.has(message.event.type)) {
      this.skipped = message.kind === "checkpoint" ? message.position : message.event.position;
      this.flushTimer ??= setTimeout(() => this.flushSkipped(), SKIPPED_FLUSH_MS).unref();
      return;
    }
    this.skipped = undefined;
    this.push(message);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.detach(this);
    this.wake?.();
  }

  private flushSkipped(): void {
    this.flushTimer = undefined;
    if (this.skipped && !this.closed) this.push({ kind: "checkpoint", position: this.skipped });
    this.skipped = undefined;
  }

  private push(message: SubscriptionMessage): void {
    this.queue.push(message);
    if (this.queue.length > this.limit) {
      this.overflowed = true;
      this.queue = [];
    }
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    while (true) {
      const next = this.queue.shift();
      if (next) yield next;
      else if (this.overflowed) throw new FeedOverflowError("projection fell behind the shared reader");
      else if (this.closed) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

export class SharedReader {
  private readonly feeds = new Set<Feed>();
  private position: GlobalPosition | null = null;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly eventStore: EventStore,
    private readonly eventTypes: readonly string[],
    private readonly signal: AbortSignal,
    /** How soon it reads new appends once caught up (ReaderPace.coalesce). */
    private readonly coalesce: NonNullable<SubscribeToAllOptions["coalesce"]>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts reading after `after`, which must be a projected (final) position, or the start. */
  start(after: GlobalPosition | null): void {
    this.position = after;
    this.reading ??= this.read();
  }

  async stop(): Promise<void> {
    for (const feed of this.feeds) feed.close();
    await this.reading;
  }

  /**
   * A feed of everything the reader delivers from now on; `feed.after` says where it starts.
   * Once the reader is stopping (its signal aborted) the feed is closed at once: a projection
   * attaching while the runner stops must end, not wait for events that never come.
   */
  attach(eventTypes: ReadonlySet<string>, limit: number): Feed {
    const feed = new Feed(this.position, eventTypes, limit, (f) => this.feeds.delete(f));
    if (this.signal.aborted) feed.close();
    else this.feeds.add(feed);
    return feed;
  }

  private async read(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        const subscription = this.eventStore.subscribeToAll({
          ...(this.position ? { after: this.position } : {}),
          signal: this.signal,
          eventTypes: this.eventTypes,
          coalesce: this.coalesce,
        });
        for await (const message of subscription) {
          if (message.kind !== "caughtUp") this.position = message.kind === "event" ? message.event.position : message.position;
          for (const feed of this.feeds) feed.offer(message);
        }
      } catch (err) {
        if (this.signal.aborted) return;
        this.onError(err);
        await sleep(1000, undefined, { signal: this.signal }).catch(() => undefined);
      }
    }
  }
}
