// A dedicated connection that LISTENs on one channel, reconnecting after a loss. It tells
// its owner when it is listening and when it stopped, because a missed notification is only
// harmless to an owner that knows it may have missed one (and then distrusts what it cached).
import pg from "pg";

export interface ChannelEvents {
  /** LISTEN is in effect: every NOTIFY committed from now on will arrive. */
  onListening?(): void;
  /** The connection is gone (or never came): notifications may be missed until onListening. */
  onDeaf?(): void;
  onNotification(payload: string | undefined): void;
}

const RECONNECT_MS = 1000;

export class ChannelListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly events: ChannelEvents,
  ) {}

  /** Resolves once listening, or after the first failure (it keeps retrying then). */
  start(): Promise<void> {
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.events.onDeaf?.();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    // TCP keepalives: a connection gone half-open would otherwise look like one that hears.
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true });
    this.client = client;
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      this.events.onDeaf?.();
      client.end().catch(() => undefined);
      if (this.client === client) this.client = undefined;
      if (!this.stopped) this.retry = setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    };
    client.on("error", onLost);
    client.on("end", onLost);
    client.on("notification", (n) => {
      if (n.channel === this.channel) this.events.onNotification(n.payload);
    });
    try {
      await client.connect();
      await client.query(`listen "${this.channel.replaceAll('"', '""')}"`);
      if (!lost && !this.stopped) this.events.onListening?.();
    } catch {
      onLost();
    }
  }
}
