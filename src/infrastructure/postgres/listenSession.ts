// One connection per process for every LISTEN it needs (appends, key changes, projection
// waits), reconnecting after a loss: a process holds one listening connection, not one per
// channel, however many channels it hears. Each subscriber is told when it is listening and
// when it stopped, because a missed notification is only harmless to an owner that knows it
// may have missed one (and then distrusts what it cached).
import pg from "pg";

export interface ChannelEvents {
  /** LISTEN is in effect: every NOTIFY committed from now on will arrive. */
  onListening?(): void;
  /** The connection is gone (or never came): notifications may be missed until onListening. */
  onDeaf?(): void;
  onNotification(payload: string | undefined): void;
}

export interface ChannelSubscription {
  /** Settles once the channel is listened on, or after a failure to get there (retried). */
  readonly ready: Promise<void>;
  /** Stops hearing the channel (onDeaf); the connection closes with its last subscriber. */
  stop(): Promise<void>;
}

/**
 * The connection's application_name, so operators (and tests) can tell it in pg_stat_activity.
 * An application_name in the connection string wins (pg applies the string over the options).
 */
export const LISTEN_APPLICATION_NAME = "ssltrackr listen";

const RECONNECT_MS = 1000;

interface Subscriber {
  readonly channel: string;
  readonly events: ChannelEvents;
  /** Told onListening since the connection last came up. */
  hearing: boolean;
}

export class ListenSession {
  private readonly subscribers = new Set<Subscriber>();
  private client: pg.Client | undefined;
  /** Channels LISTENed on the current connection. */
  private readonly listened = new Set<string>();
  /** Reconciliations run one at a time: the connection's statements and state change in order. */
  private reconciling: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly connectionString: string) {}

  listen(channel: string, events: ChannelEvents): ChannelSubscription {
    const subscriber: Subscriber = { channel, events, hearing: false };
    if (this.closed) {
      events.onDeaf?.();
      return { ready: Promise.resolve(), stop: () => Promise.resolve() };
    }
    this.subscribers.add(subscriber);
    return {
      ready: this.reconcile(),
      stop: () => {
        if (!this.subscribers.delete(subscriber)) return Promise.resolve();
        events.onDeaf?.();
        return this.reconcile();
      },
    };
  }

  /** Ends the connection; every subscriber is told it is deaf. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const s of subscribers) s.events.onDeaf?.();
    await this.reconcile();
  }

  private reconcile(): Promise<void> {
    // One that failed unexpectedly rejects for its caller only, never for the next.
    this.reconciling = this.reconciling.catch(() => undefined).then(() => this.reconcileNow());
    return this.reconciling;
  }

  /**
   * Brings the connection in line with the subscribers: connected while there are any, each of
   * their channels listened on, no other; then tells the subscribers that now hear.
   */
  private async reconcileNow(): Promise<void> {
    if (this.subscribers.size === 0) {
      const client = this.client;
      this.client = undefined;
      this.listened.clear();
      await client?.end().catch(() => undefined);
      return;
    }
    const client = this.client ?? (await this.connect());
    if (!client) return;
    const wanted = new Set([...this.subscribers].map((s) => s.channel));
    try {
      for (const channel of wanted) {
        if (this.listened.has(channel)) continue;
        await client.query(`listen ${quoteIdentifier(channel)}`);
        this.listened.add(channel);
      }
      for (const channel of this.listened) {
        if (wanted.has(channel)) continue;
        await client.query(`unlisten ${quoteIdentifier(channel)}`);
        this.listened.delete(channel);
      }
    } catch {
      this.lost(client);
      return;
    }
    if (this.client !== client) return;
    for (const s of this.subscribers) {
      if (s.hearing || !this.listened.has(s.channel)) continue;
      s.hearing = true;
      s.events.onListening?.();
    }
  }

  private async connect(): Promise<pg.Client | undefined> {
    // TCP keepalives: a connection gone half-open would otherwise look like one that hears.
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, application_name: LISTEN_APPLICATION_NAME });
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    client.on("notification", (n) => {
      for (const s of this.subscribers) if (s.channel === n.channel) s.events.onNotification(n.payload);
    });
    this.client = client;
    try {
      await client.connect();
      return this.client === client ? client : undefined;
    } catch {
      this.lost(client);
      return undefined;
    }
  }

  /** The connection is gone: every subscriber is deaf until the next connection listens. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listened.clear();
    client.end().catch(() => undefined);
    for (const s of this.subscribers) {
      s.hearing = false;
      s.events.onDeaf?.();
    }
    if (this.closed || this.subscribers.size === 0) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.reconcile(), RECONNECT_MS).unref();
  }
}

/** A channel name as a quoted identifier (LISTEN takes no parameters). */
const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
