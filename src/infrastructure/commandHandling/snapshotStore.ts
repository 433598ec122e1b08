// Snapshots keep command latency flat on long streams (a domain gathers a check result every
// few hours for years). A snapshot is only a cache of a fold: losing one costs a longer read.
import type pg from "pg";

export interface Snapshot {
  readonly revision: bigint;
  readonly state: unknown;
}

export interface SnapshotStore {
  load(streamName: string, stateVersion: number): Promise<Snapshot | null>;
  save(streamName: string, stateVersion: number, snapshot: Snapshot): Promise<void>;
}

export class PostgresSnapshotStore implements SnapshotStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async create(pool: pg.Pool): Promise<PostgresSnapshotStore> {
    await pool.query(`create table if not exists snapshots (
      stream_name   text primary key,
      state_version int not null,
      revision      bigint not null,
      state         jsonb not null,
      saved_at      timestamptz not null default now()
    )`);
    return new PostgresSnapshotStore(pool);
  }

  async load(streamName: string, stateVersion: number): Promise<Snapshot | null> {
    const { rows } = await this.pool.query<{ revision: string; state: unknown }>(
      "select revision, state from snapshots where stream_name = $1 and state_version = $2",
      [streamName, stateVersion],
    );
    const row = rows[0];
    return row ? { revision: BigInt(row.revision), state: row.state } : null;
  }

  async save(streamName: string, stateVersion: number, snapshot: Snapshot): Promise<void> {
    // Never move a snapshot backwards (two writers may race).
    await this.pool.query(
      `insert into snapshots (stream_name, state_version, revision, state) values ($1, $2, $3, $4)
       on conflict (stream_name) do update set state_version = excluded.state_version,
         revision = excluded.revision, state = excluded.state, saved_at = now()
       where snapshots.revision < excluded.revision or snapshots.state_version <> excluded.state_version`,
      [streamName, stateVersion, snapshot.revision.toString(), JSON.stringify(snapshot.state)],
    );
  }
}
