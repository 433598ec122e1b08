// Politeness towards the servers we check, across every process: at most `maxConnections`
// open connections to one IP address at once, and new connections to it at least `spacingMs`
// apart. A shared hosting address behind thousands of customer names then sees a steady
// trickle of checks, not a scan. State lives in PostgreSQL (database time throughout):
// - target_slots: one row per (ip, slot) held, with a lease, so a dead process's slots free
//   themselves;
// - target_pace: per ip, the earliest moment of the next new connection; each connection
//   reserves its moment and moves it on by `spacingMs`.
import type { Knex } from "knex";

export interface ConnectionGateSettings {
  readonly maxConnections: number;
  readonly spacingMs: number;
  /** A held slot not released within this long belongs to a dead process. */
  readonly leaseMs: number;
  /** This process, as slot holder. */
  readonly owner: string;
}

/** How long to wait before asking again for a slot, when every slot of the address is taken. */
const RETRY_MS = 20;

export async function ensureConnectionGateTables(knex: Knex): Promise<void> {
  await knex.raw(`create table if not exists target_slots (
    ip text not null, slot int not null, holder text not null, expires_at timestamptz not null,
    primary key (ip, slot))`);
  await knex.raw(`create table if not exists target_pace (ip text primary key, next_at timestamptz not null)`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PostgresConnectionGate {
  constructor(
    private readonly knex: Knex,
    private readonly settings: ConnectionGateSettings,
  ) {}

  /**
   * Waits for a free slot of `ip` and for its turn, then resolves with the release function
   * (call it once the connection is closed).
   */
  async acquire(ip: string): Promise<() => void> {
    for (;;) {
      // One round trip: take the lowest free (or expired) slot, and only then reserve a start.
      const { rows } = await this.knex.raw<{ rows: { slot: number; wait_ms: number }[] }>(
        `with slot as (
           insert into target_slots as t (ip, slot, holder, expires_at)
           select :ip, s.slot, :owner, clock_timestamp() + make_interval(secs => :leaseSecs)
             from generate_series(0, :max - 1) as s(slot)
            where not exists (select 1 from target_slots x where x.ip = :ip and x.slot = s.slot and x.expires_at > clock_timestamp())
            order by s.slot limit 1
           on conflict (ip, slot) do update set holder = excluded.holder, expires_at = excluded.expires_at
             where t.expires_at <= clock_timestamp()
           returning slot),
         pace as (
           insert into target_pace as p (ip, next_at)
           select :ip, clock_timestamp() + make_interval(secs => :spacingSecs) from slot
           on conflict (ip) do update set next_at = greatest(p.next_at, clock_timestamp()) + make_interval(secs => :spacingSecs)
           returning next_at)
         select slot.slot,
                greatest(0, extract(epoch from (pace.next_at - make_interval(secs => :spacingSecs) - clock_timestamp())) * 1000)::float8 as wait_ms
           from slot, pace`,
        { ip, owner: this.settings.owner, leaseSecs: this.settings.leaseMs / 1000, max: this.settings.maxConnections, spacingSecs: this.settings.spacingMs / 1000 },
      );
      const taken = rows[0];
      if (!taken) {
        await sleep(RETRY_MS * (1 + Math.random()));
        continue;
      }
      if (taken.wait_ms > 0) await sleep(taken.wait_ms);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.knex("target_slots")
          .where({ ip, slot: taken.slot, holder: this.settings.owner })
          .delete()
          .catch(() => undefined); // the lease frees it anyway
      };
    }
  }
}
