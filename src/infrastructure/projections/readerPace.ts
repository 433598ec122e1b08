// How soon the shared reader reads new appends once it is caught up. Every page it reads costs
// each live projection with events in it a transaction (BEGIN, checkpoint lock, writes,
// checkpoint, COMMIT), and most of that work serves no one at the moment: a domain create is
// projected inline, analytics is eventual, notification routing only follows along. So while
// no write waits for a projection, appends gather for `lazyMs` (the live projections' lag);
// while a write waits (ProjectionRunner.waitFor: for as long as a wait of this process on a
// projection it leads lasts, and for `lazyMs` after each NOTIFY of a wait elsewhere), appends
// gather only LIVE_COALESCE_MS, as they always did. A reader that cannot hear other processes'
// waits (no channel, or it is down) stays live.

/** Appends gather this long before a read while some write waits (one page for a burst). */
export const LIVE_COALESCE_MS = 15;
/**
 * And this long while none waits: at 400 creates/s from 4 clients, live projection batches
 * cost the server a third of its CPU per create at 15 ms, most of it gone at 100 ms.
 */
export const LAZY_COALESCE_MS = 100;

export class ReaderPace {
  private readonly lazyMs: number;
  private hurriedUntil = 0;
  private deaf = true;
  /** Waits of this process now open (waitBegins). */
  private waits = 0;
  private cutShort: (() => void) | undefined;

  /** `lazyMs`: how long appends gather while nothing hurries the reader (ms; at least LIVE_COALESCE_MS). */
  constructor(lazyMs: number = LAZY_COALESCE_MS) {
    this.lazyMs = Math.max(lazyMs, LIVE_COALESCE_MS);
  }

  /** A write of another process waits (its NOTIFY): read within LIVE_COALESCE_MS, now and for the next `lazyMs`. */
  hurry(): void {
    this.hurriedUntil = performance.now() + this.lazyMs;
    this.cutShort?.();
  }

  /**
   * A write of this process begins to wait for a projection this process leads: reads are live
   * until the returned function is called (once the wait ends, however it ends).
   */
  waitBegins(): () => void {
    this.waits++;
    this.cutShort?.();
    let ended = false;
    return () => {
      if (!ended) this.waits--;
      ended = true;
    };
  }

  /**
   * Whether the waits of other processes reach this one (their NOTIFY is heard). Until they do,
   * the reader stays live: a wait it cannot hear would otherwise take `lazyMs` longer.
   */
  hearing(heard: boolean): void {
    this.deaf = !heard;
    if (this.deaf) this.cutShort?.();
  }

  /** SubscribeToAllOptions.coalesce: resolves when the reader should read what woke it. */
  coalesce = (signal: AbortSignal): Promise<void> => {
    const start = performance.now();
    const liveEnd = () => Math.max(0, start + LIVE_COALESCE_MS - performance.now());
    const lazy = !this.deaf && this.waits === 0 && start >= this.hurriedUntil;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        if (this.cutShort === cut) this.cutShort = undefined;
        resolve();
      };
      const cut = () => {
        clearTimeout(timer);
        timer = setTimeout(done, liveEnd());
      };
      let timer = setTimeout(done, lazy ? this.lazyMs : LIVE_COALESCE_MS);
      if (lazy) this.cutShort = cut;
      if (signal.aborted) done();
      else signal.addEventListener("abort", done, { once: true });
    });
  };
}
