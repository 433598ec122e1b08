// Leadership through a PostgreSQL session advisory lock on a dedicated connection: when the
// holder dies its connection closes and the lock is free for the next process.
import pg from "pg";

export class LeaderLock {
  private client: pg.Client | undefined;
  private held = false;

  constructor(
    private readonly connectionString: string,
    private readonly name: string,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.connectionString });
        client.on("error", () => this.lost(client));
        client.on("end", () => this.lost(client));
        await client.connect();
        this.client = client;
      }
      const { rows } = await this.client.query<{ ok: boolean }>(
        "select pg_try_advisory_lock(hashtext($1)) as ok",
        [`ssltrackr:${this.name}`],
      );
      this.held = rows[0]?.ok === true;
    } catch {
      this.held = false;
    }
    return this.held;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    await client?.end().catch(() => undefined);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.held = false;
  }
}
