// Leadership through PostgreSQL session advisory locks. All locks of one process share one
// dedicated connection (a LeaderSession): when the process dies the connection closes and
// every lock it held is free for the next process. Two sessions in one process exclude
// each other like two processes would.
import pg from "pg";

export class LeaderSession {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  /** Bumped whenever the connection is lost: locks taken on an older one are gone. */
  private generation = 0;
  /** One query at a time on the shared connection (pg does not multiplex a client). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly connectionString: string) {}

  lock(name: string): LeaderLock {
    return new LeaderLock(this, name);
  }

  /** The current connection and its generation, connecting if needed. */
  private async connection(): Promise<{ client: pg.Client; generation: number }> {
    if (this.client) return { client: this.client, generation: this.generation };
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on("error", () => this.lost(client));
      client.on("end", () => this.lost(client));
      try {
        await client.connect();
      } catch (err) {
        this.connecting = undefined;
        throw err;
      }
      this.client = client;
      this.connecting = undefined;
      return client;
    })();
    const client = await this.connecting;
    return { client, generation: this.generation };
  }

  /** Runs `sql` on the session's connection, after any query already running on it. */
  query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<{ rows: R[]; generation: number }> {
    const run = this.queue.then(async () => {
      const { client, generation } = await this.connection();
      const { rows } = await client.query<R>(sql, params);
      return { rows, generation };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  isCurrent(generation: number): boolean {
    return this.client !== undefined && generation === this.generation;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.lost(client);
    await client?.end().catch(() => undefined);
  }

  private lost(client: pg.Client | undefined): void {
    if (!client || this.client !== client) return;
    this.client = undefined;
    this.generation++;
  }
}

export class LeaderLock {
  private heldOn: number | undefined;
  private readonly session: LeaderSession;
  /** A lock made from a connection string has a session (connection) of its own. */
  private readonly ownsSession: boolean;

  constructor(
    session: LeaderSession | string,
    private readonly name: string,
  ) {
    this.ownsSession = typeof session === "string";
    this.session = typeof session === "string" ? new LeaderSession(session) : session;
  }

  get isHeld(): boolean {
    return this.heldOn !== undefined && this.session.isCurrent(this.heldOn);
  }

  async tryAcquire(): Promise<boolean> {
    if (this.isHeld) return true;
    this.heldOn = undefined;
    try {
      const { rows, generation } = await this.session.query<{ ok: boolean }>(
        "select pg_try_advisory_lock(hashtext($1)) as ok",
        [`ssltrackr:${this.name}`],
      );
      if (rows[0]?.ok === true) this.heldOn = generation;
    } catch {
      // Not reachable now: not the leader; the next attempt reconnects.
    }
    return this.isHeld;
  }

  async release(): Promise<void> {
    if (this.ownsSession) {
      this.heldOn = undefined;
      return this.session.close();
    }
    if (!this.isHeld) return;
    this.heldOn = undefined;
    await this.session.query("select pg_advisory_unlock(hashtext($1))", [`ssltrackr:${this.name}`]).catch(() => undefined);
  }
}
