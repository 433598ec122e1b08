// The data and server of workloads 4, 5 and 8: 100k domains among 100 users, one of whom (the
// bench user, with an API key) has 10k, each with its first SSL check. Seeding appends the
// domain streams straight to the event store (events from the real deciders, see
// domainHistory.ts) and then runs the projectors that GET /domains reads (accounts, domains)
// until they are caught up; the other projectors are moved to the head without building
// their tables, which these endpoints never read (POST /domains still waits for every one of
// them to pass its own events). Then the server starts in a child process.
import { randomUUID } from "node:crypto";
import { accountsProjection } from "../../projections/accounts.js";
import { allProjections } from "../../projections/index.js";
import { domainsProjection } from "../../projections/domains.js";
import { createServices } from "../../src/app/services.js";
import { ensureCheckpoint, saveCheckpoint } from "../../src/infrastructure/projections/checkpoints.js";
import { ProjectionRunner } from "../../src/infrastructure/projections/projectionRunner.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { DAY_MS, systemClock } from "../../src/shared/clock.js";
import { FakeCheckers } from "../../test/support/checkFixtures.js";
import { benchConfig, openBenchInfrastructure } from "./app.js";
import { createBenchDatabase, type BenchDatabase } from "./database.js";
import { appendHistories, domainHistory } from "./domainHistory.js";
import { startServerProcess, type ServerProcess } from "./serverProcess.js";
import type { BenchOptions } from "./workload.js";

/** Connections per pool of the server (it has two, plus two single ones); the floor gets as many. */
export const SERVER_POOL = 6;
const OTHER_USERS = 90;

/** A statement the server ran: `name` when it ran prepared (QueryTemplate), so the floor prepares it too. */
export interface CapturedStatement {
  readonly sql: string;
  readonly bindings: readonly unknown[];
  readonly name?: string;
}

export interface ApiFixture {
  readonly db: BenchDatabase;
  readonly server: ServerProcess;
  readonly key: string;
  readonly domains: number;
  readonly mine: number;
  /** The SQL GET /domains?per_page=20&sort=ssl_days_remaining ran for the bench user. */
  readonly listSql: readonly CapturedStatement[];
  close(): Promise<void>;
}

export async function openApiFixture({ quick, profileDir, log }: BenchOptions): Promise<ApiFixture> {
  const domains = quick ? 10_000 : 100_000;
  const mine = domains / 10;
  const db = await createBenchDatabase("api");
  try {
    const started = Date.now();
    const infra = await openBenchInfrastructure(db.url, 8);
    let key: string;
    let listSql: CapturedStatement[];
    try {
      const services = createServices(infra, {
        clock: systemClock,
        logger: createLogger("silent"),
        config: benchConfig(db.url, 8),
        leaderElection: false,
        checkers: new FakeCheckers(systemClock),
      });
      const user = await services.accounts.registerUser({ correlationId: randomUUID() }, "bench@example.com");
      key = user.key;
      const others = Array.from({ length: OTHER_USERS }, () => randomUUID());
      const start = new Date(Date.now() - DAY_MS);
      await appendHistories(infra.eventStore, domains, 8, (i) =>
        domainHistory({
          userId: i % 10 === 0 ? user.userId : others[i % OTHER_USERS]!,
          hostname: `d${i}.example.com`,
          events: 2,
          certDays: 2 + ((i * 7919) % 400),
          start,
        }),
      );
      await new ProjectionRunner(infra.knex, infra.eventStore, [accountsProjection, domainsProjection]).catchUp();
      const head = await infra.eventStore.headPosition();
      for (const p of allProjections.filter((p) => p !== accountsProjection && p !== domainsProjection)) {
        await ensureCheckpoint(infra.knex, p.name);
        await infra.knex.transaction((trx) => saveCheckpoint(trx, p.name, head!, 0));
      }
      await infra.knex.raw("vacuum analyze domains");
      // Record the statements the query service runs, for the bare-pg floor.
      const captured: CapturedStatement[] = [];
      const capture = (q: CapturedStatement) => captured.push({ sql: q.sql, bindings: q.bindings, ...(q.name ? { name: q.name } : {}) });
      infra.knex.on("query", capture);
      await services.domainQueries.list(user.userId, { page: 1, perPage: 20, status: "all", sort: "ssl_days_remaining", order: "desc" });
      infra.knex.off("query", capture);
      listSql = captured;
    } finally {
      await infra.close();
    }
    log(`seeded ${domains} domains (${mine} for the bench user) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const server = await startServerProcess(db.url, SERVER_POOL, profileDir);
    return {
      db,
      server,
      key,
      domains,
      mine,
      listSql,
      async close() {
        await server.stop();
        await db.drop();
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}
