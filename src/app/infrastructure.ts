// Opens what every entry point needs: the database (embedded by default), the event store
// (PostgreSQL, or EventStoreDB when EVENTSTORE_URL is set), the read-model connection and
// their schemas.
import pg from "pg";
import type { Knex } from "knex";
import type { Config } from "../config.js";
import type { EventStore } from "../infrastructure/eventStore/eventStore.js";
import { PostgresEventStore } from "../infrastructure/eventStore/postgres/postgresEventStore.js";
import { startEmbeddedPostgres } from "../infrastructure/postgres/embeddedPostgres.js";
import { ensureDatabase } from "../infrastructure/postgres/database.js";
import { createKnex, migrateReadModels } from "../infrastructure/postgres/knex.js";
import { LeaderSession } from "../infrastructure/postgres/leaderLock.js";
import { ListenSession } from "../infrastructure/postgres/listenSession.js";
import { ensureRateLimitTable } from "../infrastructure/http/rateLimiter.js";
import { ensureConnectionGateTables } from "../infrastructure/network/connectionGate.js";
import { JobQueue } from "../infrastructure/queue/jobQueue.js";
import { ensureCheckQueue } from "../monitoring/checkJobs.js";
import { ensureIdempotencyTable } from "../infrastructure/http/idempotency.js";
import { ensureAccountsChangeNotification } from "../accounts/verifiedKeyCache.js";
import { PostgresSnapshotStore } from "../infrastructure/commandHandling/snapshotStore.js";
import type { Logger } from "../infrastructure/logging/logger.js";

export interface Infrastructure {
  readonly databaseUrl: string;
  readonly pool: pg.Pool;
  readonly knex: Knex;
  readonly eventStore: EventStore;
  readonly snapshots: PostgresSnapshotStore;
  /** The one connection holding this process's leader locks (projections, scheduler). */
  readonly leaderSession: LeaderSession;
  /** The one connection carrying this process's LISTENs (appends, key changes, projection waits). */
  readonly listenSession: ListenSession;
  /** The distributed job queue (checks). */
  readonly queue: JobQueue;
  close(): Promise<void>;
}

async function openEventStore(config: Config, pool: pg.Pool, databaseUrl: string, listenSession: ListenSession): Promise<EventStore> {
  if (!config.EVENTSTORE_URL) return PostgresEventStore.connect(pool, databaseUrl, { listenSession });
  const { EventStoreDbEventStore } = await import("../infrastructure/eventStore/eventStoreDb/eventStoreDbEventStore.js");
  return EventStoreDbEventStore.connect(config.EVENTSTORE_URL);
}

export interface InfrastructureOptions {
  /** Take part in the queue's maintenance (expiring dead workers' jobs): long-running processes. */
  readonly queueMaintenance?: boolean;
}

export async function openInfrastructure(config: Config, logger: Logger, options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const closers: (() => Promise<void>)[] = [];
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    logger.info("DATABASE_URL is unset: starting the embedded PostgreSQL", { dataDir: config.EMBEDDED_PG_DIR });
    const embedded = await startEmbeddedPostgres({
      dataDir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
      log: (m) => logger.debug("embedded postgres", { output: m }),
    });
    closers.push(() => embedded.stop());
    databaseUrl = await ensureDatabase(embedded.url, "ssltrackr");
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: config.SSLTRACKR_DB_POOL_MAX });
  pool.on("error", (err) => logger.warn("idle database connection failed", { err }));
  closers.unshift(() => pool.end());
  const knex = createKnex(databaseUrl, { logger, poolMax: config.SSLTRACKR_DB_POOL_MAX });
  const leaderSession = new LeaderSession(databaseUrl);
  closers.unshift(() => leaderSession.close());
  closers.unshift(() => knex.destroy());
  // Closed after everything that listens on it (closers run last-registered first).
  const listenSession = new ListenSession(databaseUrl);
  closers.unshift(() => listenSession.close());
  const eventStore = await openEventStore(config, pool, databaseUrl, listenSession);
  closers.unshift(() => eventStore.close());
  await migrateReadModels(knex);
  await ensureRateLimitTable(knex);
  await ensureIdempotencyTable(knex);
  await ensureConnectionGateTables(knex);
  const queue = await JobQueue.open({
    databaseUrl,
    poolMax: config.SSLTRACKR_DB_POOL_MAX,
    onError: (err) => logger.warn("job queue error", { err }),
    // A quarter lease: a dead worker's job is taken back within 1.25 leases.
    maintenanceSeconds: options.queueMaintenance ? Math.max(1, Math.floor(config.SSLTRACKR_CHECK_LEASE_SECONDS / 4)) : null,
  });
  closers.unshift(() => queue.close());
  await ensureCheckQueue(queue, config.SSLTRACKR_CHECK_LEASE_SECONDS);
  await ensureAccountsChangeNotification(knex);
  const snapshots = await PostgresSnapshotStore.create(pool);
  return {
    databaseUrl,
    pool,
    knex,
    eventStore,
    snapshots,
    leaderSession,
    listenSession,
    queue,
    async close() {
      for (const close of closers) await close().catch((err: unknown) => logger.warn("close failed", { err }));
    },
  };
}
