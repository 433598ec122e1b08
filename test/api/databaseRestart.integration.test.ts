// PostgreSQL restarts (a clean shutdown and a crash) and lost answers (committed, but the
// reply never arrives) under concurrent writes. Clients retry every write that got a 503 with
// the same Idempotency-Key, as the API tells them to. Then: every write exists exactly once
// (zero duplicates, zero lost), and every write whose outcome was in doubt was resolved by its
// retry with a 201. (Without the key, the retries of the lost answers get 409: it fails.)
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import pg from "pg";
import { startServer, type RunningServer } from "../../src/app/server.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { startCuttingProxy, type CuttingProxy } from "../support/cuttingProxy.js";
import { findPostgresBin, startOwnedPostgres, type OwnedPostgres } from "../support/ownedPostgres.js";
import { expectEachWriteOnce, runRetryingWriters } from "../support/retryingWriters.js";
import { testConfig } from "../support/testServer.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("PostgreSQL restarts under concurrent writes retried by Idempotency-Key (integration)", function () {
  this.timeout(60_000);
  let cluster: OwnedPostgres | undefined;
  let proxy: CuttingProxy | undefined;
  let server: RunningServer | undefined;

  before(async function () {
    const bin = await findPostgresBin();
    if (!bin) {
      console.log("      (skipped: no PostgreSQL binaries found; set SSLTRACKR_TEST_PG_BIN to a directory with initdb and pg_ctl)");
      this.skip();
    }
    cluster = await startOwnedPostgres(bin);
    proxy = await startCuttingProxy(cluster.url);
    server = await startServer(testConfig(proxy.url, { SSLTRACKR_DB_POOL_MAX: "8" }), { logger: createLogger("silent") });
  });

  after(async () => {
    await server?.close().catch(() => undefined);
    await proxy?.close();
    await cluster?.destroy();
  });

  it("loses no acknowledged write, duplicates none, and resolves every in-doubt write by its retry", async () => {
    const user = await server!.services.accounts.registerUser({ correlationId: randomUUID() }, `restart-${randomUUID()}@example.com`);
    if (user.position) await server!.services.projections.waitFor(user.position);
    const faults = (async () => {
      await sleep(600);
      proxy!.cutFor(300); // answers lost after their commit
      await sleep(800);
      await cluster!.stop("fast"); // clients see 57P01 admin_shutdown, then refused connections
      await sleep(700);
      await cluster!.start();
      await sleep(1500);
      await cluster!.stop("immediate"); // a crash: connections die mid-query, commits in doubt
      await sleep(700);
      await cluster!.start();
      await sleep(1000);
      proxy!.cutFor(300);
    })();
    const [outcomes] = await Promise.all([
      runRetryingWriters("restart", { workers: 8, writesPerWorker: 12, baseUrl: () => server!.url, apiKey: user.key, settleWithinMs: 40_000, until: faults }),
      faults,
    ]);

    const retried = outcomes.filter((o) => o.failures.length > 0);
    expect(retried.length, "the faults happened under load (else this test proves nothing)").to.be.greaterThan(0);
    expect(proxy!.lostAnswers, "answers were lost").to.be.greaterThan(0);
    expect(retried.filter((o) => o.failures.some((f) => /may have been applied/.test(f))).length).to.be.greaterThan(0);
    await expectEachWriteOnce(server!.url, user.key, outcomes);

    // The write model agrees: one DomainAdded per hostname.
    const db = new pg.Client({ connectionString: cluster!.url });
    db.on("error", () => undefined);
    await db.connect();
    try {
      const { rows } = await db.query<{ hostname: string; n: string }>(
        `select data->>'hostname' as hostname, count(*) as n from eventstore.events where event_type = 'DomainAdded' group by 1`,
      );
      expect(rows.filter((r) => r.n !== "1"), "hostnames added more than once").to.deep.equal([]);
      expect(rows).to.have.length(outcomes.length);
    } finally {
      await db.end();
    }
  });
});
