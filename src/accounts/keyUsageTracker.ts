// last_used_at without a database write per request: uses are kept in memory and flushed
// in one statement every few seconds (and on shutdown). A crash loses at most one interval
// of "last used" telemetry, never a domain fact.
import type { Knex } from "knex";

export class KeyUsageTracker {
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly flushIntervalMs = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.flushIntervalMs);
    this.timer.unref();
  }

  record(keyId: string, at: Date): void {
    this.pending.set(keyId, at);
  }

  /** The newer of the stored value and a use not yet flushed. */
  latest(keyId: string, stored: Date | null): Date | null {
    const local = this.pending.get(keyId);
    if (!local) return stored;
    return !stored || local > stored ? local : stored;
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([key_id, last_used_at]) => ({ key_id, last_used_at }));
    await this.knex("api_key_usage")
      .insert(rows)
      .onConflict("key_id")
      .merge({ last_used_at: this.knex.raw("greatest(api_key_usage.last_used_at, excluded.last_used_at)") });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
