// Each workload runs on its own throwaway database on the server named by DATABASE_URL, so
// workloads never see each other's rows and a crashed run leaves nothing that a later run
// reads. Names start with "ssltrackr_bench_" (distinct from the tests' prefix, whose leftovers
// CI drops at start-up).
import { randomBytes } from "node:crypto";
import pg from "pg";

export const serverUrl = (): string => process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  readonly url: string;
  /** A pool on this database; each caller sizes its own, because max_connections is shared. */
  pool(max: number): pg.Pool;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `ssltrackr_bench_${label}_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const pools: pg.Pool[] = [];
  return {
    url: url.toString(),
    pool(max) {
      const pool = new pg.Pool({ connectionString: url.toString(), max });
      // Dropping the database ends idle connections; the pool must not crash the run for it.
      pool.on("error", () => undefined);
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.all(pools.filter((p) => !p.ended).map((p) => p.end()));
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
