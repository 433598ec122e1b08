// The event stores of workloads 1 and 2, each on its own pool of the same size on the same
// database: ours (schema "eventstore") and the reference, Emmett's PostgreSQL event store
// (its emt_* tables). A pool is opened per timed phase so at most one is open at a time.
import { getPostgreSQLEventStore, type PostgresEventStore as EmmettStore } from "@event-driven-io/emmett-postgresql";
import pg from "pg";
import { PostgresEventStore } from "../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { warmPool } from "./workload.js";

export interface Opened<T> {
  readonly store: T;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

async function openPool(url: string, connections: number): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  pool.on("error", () => undefined);
  await warmPool(pool, connections);
  return pool;
}

export async function openOurs(url: string, connections: number): Promise<Opened<PostgresEventStore>> {
  const pool = await openPool(url, connections);
  const store = await PostgresEventStore.connect(pool, url);
  return {
    store,
    pool,
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

export async function openEmmett(url: string, connections: number): Promise<Opened<EmmettStore>> {
  const pool = await openPool(url, connections);
  const store = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  await store.schema.migrate();
  return {
    store,
    pool,
    async close() {
      await store.close();
      if (!pool.ended) await pool.end();
    },
  };
}
