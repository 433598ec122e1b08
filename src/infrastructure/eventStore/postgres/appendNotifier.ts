// Wakes subscribers soon after an append. Polling stays the source of truth; this only cuts
// latency. Local subscribers are woken directly; other processes through LISTEN/NOTIFY,
// sent outside the append transaction and coalesced, because a NOTIFY inside every append
// would serialise all committing transactions on PostgreSQL's notify-queue lock.
import { randomUUID } from "node:crypto";
import pg from "pg";

export interface Wakeup {
  /** Resolves when an append happened after this wakeup was armed, on timeout or abort. */
  wait(timeoutMs: number): Promise<void>;
}

export class AppendNotifier {
  private generation = 0;
  private readonly waiting = new Set<() => void>();
  private notifyScheduled = false;
  /** The LISTEN connection, from the moment it starts connecting. */
  private listener: pg.Client | undefined;
  private closed = false;
  private subscribers = 0;
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
    this.subscribers++;
    this.ensureListener();
    return {
      next: () => this.arm(signal),
      close: () => {
        this.subscribers--;
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
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
    const client = new pg.Client({ connectionString: this.connectionString });
    this.listener = client;
    let failed = false;
    const retry = () => {
      if (failed) return;
      failed = true;
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.closed && this.subscribers > 0) setTimeout(() => this.ensureListener(), 1000).unref();
    };
    client.on("error", retry);
    client.on("notification", (n) => {
      if (n.payload !== this.origin) this.wake();
    });
    client
      .connect()
      .then(() => client.query(`listen "${this.channel}"`))
      .catch(retry);
  }
}
