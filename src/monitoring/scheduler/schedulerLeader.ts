// Exactly one process schedules: the holder of the "scheduler" advisory lock. Others try
// for it on every tick, so when the leader stops (or its lock connection dies) another takes
// over within a tick. The lock is anonymous, so the leader also keeps a heartbeat row that
// any process (`scheduler status`) can read.
import type { Knex } from "knex";
import type { LeaderLock } from "../../infrastructure/postgres/leaderLock.js";

export const SCHEDULER_LEADER_TABLE = "scheduler_leader";
/** The name of the advisory lock, and of the heartbeat row. */
export const SCHEDULER_LOCK = "scheduler";

export interface LeaderInfo {
  readonly owner: string;
  readonly since: Date;
  readonly heartbeatAt: Date;
  /** A leader that stops beating is presumed gone after this. */
  readonly expiresAt: Date;
}

export class SchedulerLeader {
  constructor(
    private readonly knex: Knex,
    /** The SCHEDULER_LOCK lock, on this process's leader session. */
    private readonly lock: LeaderLock,
    readonly owner: string,
    /** How long a heartbeat vouches for the leader: a few ticks. */
    private readonly heartbeatTtlMs: number,
  ) {}

  get isLeader(): boolean {
    return this.lock.isHeld;
  }

  /** Takes (or keeps) the lead and, if leading, beats the heartbeat. */
  async tryLead(): Promise<boolean> {
    if (!(await this.lock.tryAcquire())) return false;
    await this.knex.raw(
      `insert into ${SCHEDULER_LEADER_TABLE} (name, owner, since, heartbeat_at, expires_at)
       values (?, ?, now(), now(), now() + make_interval(secs => ?))
       on conflict (name) do update
         set owner = excluded.owner,
             since = case when ${SCHEDULER_LEADER_TABLE}.owner = excluded.owner
                          then ${SCHEDULER_LEADER_TABLE}.since else excluded.since end,
             heartbeat_at = excluded.heartbeat_at,
             expires_at = excluded.expires_at`,
      [SCHEDULER_LOCK, this.owner, this.heartbeatTtlMs / 1000],
    );
    return true;
  }

  /** Steps down: clears our heartbeat and frees the lock for the next process. */
  async resign(): Promise<void> {
    try {
      await this.knex(SCHEDULER_LEADER_TABLE).where({ name: SCHEDULER_LOCK, owner: this.owner }).delete();
    } finally {
      await this.lock.release();
    }
  }
}

/** The current leader as its heartbeat tells, or null when none is beating. */
export async function currentLeader(knex: Knex): Promise<LeaderInfo | null> {
  const row = await knex(SCHEDULER_LEADER_TABLE)
    .where({ name: SCHEDULER_LOCK })
    .andWhere("expires_at", ">", knex.fn.now())
    .first<{ owner: string; since: Date; heartbeat_at: Date; expires_at: Date } | undefined>();
  return row ? { owner: row.owner, since: row.since, heartbeatAt: row.heartbeat_at, expiresAt: row.expires_at } : null;
}
