// Wakes subscribers soon after an append. Polling stays the source of truth; this only cuts
// latency. Local subscribers are woken directly; other processes through LISTEN/NOTIFY,
// sent outside the append transaction and coalesced, because a NOTIFY inside every append
// would serialise all committing transactions on PostgreSQL's notify-queue lock.
//
// Coalesced in time, not only per turn of the event loop: the first append after a quiet
// spell is told at once, then at most one NOTIFY goes out per NOTIFY_INTERVAL_MS, the last one
// after the last append. With 16 writers each completing in its own turn, a NOTIFY per turn
// was nearly one statement (a transaction, the notify lock, a pooled connection) per append.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { ChannelSubscription, ListenSession } from "../../postgres/listenSession.js";

/**
 * At most one NOTIFY per this many ms while appends keep coming: a subscriber in another
 * process hears of an append at most this much later (its reader then gathers for 15 ms
 * anyway), and a busy writer sends at most 100 NOTIFYs a second.
 */
export const NOTIFY_INTERVAL_MS = 10;

export interface Wakeup {
  /** Resolves when an append happened after this wakeup was armed, on timeout or abort. */
  wait(timeoutMs: number): Promise<void>;
}

export class AppendNotifier {
  private generation = 0;
  private readonly waiting = new Set<() => void>();
  /** An append not yet told to other processes. */
  private untold = false;
  /** A NOTIFY is scheduled, or went out less than NOTIFY_INTERVAL_MS ago. */
  private throttled = false;
  /** Listening on the channel (the process's LISTEN connection), from the first subscriber on. */
  private listening: ChannelSubscription | undefined;
  private closed = false;
  /** Sent as the payload, so this process ignores its own notices (it woke its subscribers already). */
  private readonly origin = randomUUID();

  constructor(
    private readonly pool: pg.Pool,
    private readonly listenSession: ListenSession,
    private readonly channel: string,
  ) {}

  appended(): void {
    this.wake();
    if (this.closed) return;
    this.untold = true;
    if (this.throttled) return;
    this.throttled = true;
    // The appends completing in this turn go out together.
    setImmediate(() => this.notify());
  }

  /** Sends the NOTIFY if an append is untold, then holds the next one back for the interval. */
  private notify(): void {
    if (!this.untold || this.closed) {
      this.throttled = false;
      return;
    }
    this.untold = false;
    void this.send();
    setTimeout(() => this.notify(), NOTIFY_INTERVAL_MS).unref();
  }

  /** Best effort: a lost NOTIFY costs other processes one poll interval, nothing more. */
  private async send(): Promise<void> {
    await this.pool.query("select pg_notify($1, $2)", [this.channel, this.origin]).catch(() => undefined);
  }

  subscribe(signal: AbortSignal): { next(): Wakeup; close(): void } {
    this.ensureListening();
    return {
      next: () => this.arm(signal),
      close: () => undefined,
    };
  }

  async close(): Promise<void> {
    const untold = this.untold;
    this.closed = true;
    this.untold = false;
    this.wake();
    const listening = this.listening;
    this.listening = undefined;
    await listening?.stop();
    // An append of the last interval, held back by the throttle: told now, or other processes
    // would hear of it only at their next poll.
    if (untold) await this.send();
  }

  private arm(signal: AbortSignal): Wakeup {
    const armedAt = this.generation;
    return {
      wait: (timeoutMs) =>
        new Promise<void>((resolve) => {
          if (this.generation !== armedAt || signal.aborted || this.closed) return resolve();
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            this.waiting.delete(done);
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          signal.addEventListener("abort", done, { once: true });
          this.waiting.add(done);
        }),
    };
  }

  private wake(): void {
    this.generation++;
    for (const done of [...this.waiting]) done();
  }

  private ensureListening(): void {
    if (this.listening || this.closed) return;
    this.listening = this.listenSession.listen(this.channel, {
      onNotification: (payload) => {
        if (payload !== this.origin) this.wake();
      },
    });
  }
}
