// Groups a subscription into batches without timers: whatever arrived while the previous
// batch was being written (or in the same turn of the event loop) becomes the next batch.
// Bursts are written in few transactions, and a single live event is written at once.
import type { GlobalPosition, RecordedEvent, SubscriptionMessage } from "../eventStore/eventStore.js";

export interface Batch {
  readonly events: RecordedEvent[];
  /** Position the checkpoint may move to after this batch (filtered events included). */
  readonly position: GlobalPosition | null;
  readonly caughtUp: boolean;
}

export async function* inBatches(source: AsyncIterable<SubscriptionMessage>, maxSize: number): AsyncIterable<Batch> {
  const queue: SubscriptionMessage[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let resumeProducer: (() => void) | undefined;

  const producer = (async () => {
    try {
      for await (const message of source) {
        queue.push(message);
        wake?.();
        // Back-pressure: let the writer drain a few batches before reading on.
        if (queue.length >= maxSize * 4) await new Promise<void>((r) => (resumeProducer = r));
      }
    } catch (err) {
      failure = err;
    } finally {
      ended = true;
      wake?.();
    }
  })();

  try {
    while (true) {
      if (queue.length === 0) {
        if (ended) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        // A page read from the log arrives a message per microtask: let the rest of it in, or
        // its first event would be a transaction of its own.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const events: RecordedEvent[] = [];
      let position: GlobalPosition | null = null;
      let caughtUp = false;
      // One splice per batch: shift() per message is linear in the queue (a rebuild queues 20k).
      let taken = 0;
      while (taken < queue.length && events.length < maxSize) {
        const m = queue[taken++]!;
        if (m.kind === "event") {
          events.push(m.event);
          position = m.event.position;
        } else if (m.kind === "checkpoint") position = m.position;
        else caughtUp = true;
      }
      queue.splice(0, taken);
      resumeProducer?.();
      resumeProducer = undefined;
      yield { events, position, caughtUp };
    }
    if (failure) throw failure;
  } finally {
    await Promise.race([producer, Promise.resolve()]);
  }
}
