// Wakes subscribers soon after an append. Polling stays the source of truth; this only cuts
// latency. Local subscribers are woken directly; other processes through LISTEN/NOTIFY,
// sent outside the append transaction and coalesced, because a NOTIFY inside every append
// would serialise all committing transactions on PostgreSQL's notify-queue lock.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { ChannelListener } from "../../postgres/channelListener.js";

export interface Wakeup {
  /** Resolves when an append happened after this wakeup was armed, on timeout or abort. */
  wait(timeoutMs: number): Promise<void>;
}

export class AppendNotifier {
  private generation = 0;
  private readonly waiting = new Set<() => void>();
  private notifyScheduled = false;
  /** The LISTEN connection (reconnecting), from the first subscriber on. */
  private listener: ChannelListener | undefined;
  private closed = false;
  /** Sent as the payload, so this process ignores its own notices (it woke its subscribers already). */
  private readonly origin = randomUUID();

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly channel: string,
  ) {}

  appended(): void {
    this.wake();
    if (this.notifyScheduled || this.closed) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      // Best effort: a lost NOTIFY costs other processes one poll interval, nothing more.
      this.pool.query("select pg_notify($1, $2)", [this.channel, this.origin]).catch(() => undefined);
    });
  }

  subscribe(signal: AbortSignal): { next(): Wakeup; close(): void } {
    this.ensureListener();
    return {
      next: () => this.arm(signal),
      close: () => undefined,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
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

  private ensureListener(): void {
    if (this.listener || this.closed) return;
    this.listener = new ChannelListener(this.connectionString, this.channel, {
      onNotification: (payload) => {
        if (payload !== this.origin) this.wake();
      },
    });
    void this.listener.start();
  }
}
