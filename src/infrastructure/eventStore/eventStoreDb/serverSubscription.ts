// One catch-up subscription to $all on the server, as an ordered stream of port messages.
// It ends when the server ends or drops it, or when the signal aborts; resubscribing is the
// caller's business.
import { START, eventTypeFilter, excludeSystemEvents, type EventStoreDBClient, type Position } from "@eventstore/db-client";
import type { GlobalPosition, SubscriptionMessage } from "../eventStore.js";
import { AsyncQueue } from "./asyncQueue.js";
import { toGlobalPosition, toRecordedEvent } from "./mapping.js";

// Messages queued for a slow consumer before the server stream is paused, and when it resumes.
const HIGH_WATER_MARK = 512;
const LOW_WATER_MARK = 128;

/**
 * The client reports caught-up and checkpoints from inside its stream transform, while events
 * that came before them may still sit in its readable buffer (always so while it is paused).
 * Each such marker is held back until that many more events have been handed over, so that it
 * never overtakes the events it vouches for.
 */
class InOrder {
  private delivered = 0;
  private readonly held: { readonly after: number; readonly message: SubscriptionMessage }[] = [];

  constructor(private readonly queue: AsyncQueue<SubscriptionMessage>) {}

  /** One data event of the client stream; undefined when it is nothing to deliver. */
  event(message: SubscriptionMessage | undefined): void {
    if (message) this.queue.push(message);
    this.delivered++;
    this.release();
  }

  marker(stillBuffered: number, message: SubscriptionMessage): void {
    this.held.push({ after: this.delivered + stillBuffered, message });
    this.release();
  }

  private release(): void {
    for (let next = this.held[0]; next && next.after <= this.delivered; next = this.held[0]) {
      this.held.shift();
      this.queue.push(next.message);
    }
  }
}

/** Exactly these event types (which never include system events, all "$..."). */
const typesRegex = (types: readonly string[]) => `^(?:${types.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`;

export async function* serverSubscription(
  client: EventStoreDBClient,
  after: GlobalPosition | undefined,
  signal: AbortSignal,
  eventTypes?: readonly string[],
): AsyncGenerator<SubscriptionMessage> {
  const queue = new AsyncQueue<SubscriptionMessage>();
  const inOrder = new InOrder(queue);
  const checkpointReached = (sub: { readableLength: number }, position: Position) =>
    inOrder.marker(sub.readableLength, { kind: "checkpoint", position: toGlobalPosition(position) });
  const subscription = client.subscribeToAll({
    fromPosition: after ?? START,
    // Filtered on the server, which also makes it send checkpoints through stretches of
    // filtered-out events.
    filter: eventTypes ? eventTypeFilter({ regex: typesRegex(eventTypes), checkpointReached }) : excludeSystemEvents({ checkpointReached }),
  });
  subscription
    .on("data", (resolved) => {
      try {
        const event = toRecordedEvent(resolved);
        inOrder.event(event && { kind: "event", event });
      } catch (err) {
        queue.close(err); // thrown here, it would surface as an unhandled rejection in the client
      }
      if (queue.length >= HIGH_WATER_MARK) subscription.pause();
    })
    .on("caughtUp", () => inOrder.marker(subscription.readableLength, { kind: "caughtUp" }))
    .on("end", () => queue.close())
    .on("error", (err) => queue.close(err));
  const stop = () => queue.close();
  signal.addEventListener("abort", stop);
  try {
    for await (const message of queue.drain()) {
      yield message;
      if (subscription.isPaused() && queue.length <= LOW_WATER_MARK) subscription.resume();
    }
  } finally {
    signal.removeEventListener("abort", stop);
    queue.close();
    await subscription.unsubscribe();
  }
}
