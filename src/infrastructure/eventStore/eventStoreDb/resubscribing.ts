// Keeps a catch-up subscription alive across drops: when the server ends or breaks one, a new
// one starts after the last event or checkpoint delivered, following a short, growing pause.
import { setTimeout as sleep } from "node:timers/promises";
import { comparePositions, type GlobalPosition, type SubscriptionMessage } from "../eventStore.js";

export interface ResubscribeOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly onDropped?: (reason: unknown) => void;
}

export type OpenSubscription = (
  after: GlobalPosition | undefined,
  signal: AbortSignal,
) => AsyncIterable<SubscriptionMessage>;

const positionOf = (message: SubscriptionMessage): GlobalPosition | undefined =>
  message.kind === "event" ? message.event.position : message.kind === "checkpoint" ? message.position : undefined;

export async function* resubscribing(
  open: OpenSubscription,
  after: GlobalPosition | undefined,
  signal: AbortSignal,
  options: ResubscribeOptions,
): AsyncGenerator<SubscriptionMessage> {
  let cursor = after;
  let delayMs = options.initialDelayMs;
  while (!signal.aborted) {
    try {
      for await (const message of open(cursor, signal)) {
        const position = positionOf(message);
        if (position && cursor) {
          // The start is exclusive, and the server's checkpoints may lag behind events already
          // delivered: positions only move forwards.
          const order = comparePositions(position, cursor);
          if (order < 0 || (order === 0 && message.kind === "event")) continue;
        }
        cursor = position ?? cursor;
        delayMs = options.initialDelayMs;
        yield message;
      }
      if (!signal.aborted) options.onDropped?.(new Error("the server ended the subscription"));
    } catch (err) {
      if (!signal.aborted) options.onDropped?.(err);
    }
    await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    delayMs = Math.min(delayMs * 2, options.maxDelayMs);
  }
}
