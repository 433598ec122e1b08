// Workload 12 (issue 17): importing 10k domains through the API as `ssltrackr domains import`
// does, POST /domains/bulk with 1,000 rows a request one after another, into a fresh database
// with checks left to the scheduler (SSLTRACKR_CHECK_ON_CREATE=false, as bulk imports always
// do). Domains per second from the first request to the last answer (read-your-writes: every
// imported domain is listed by then); a new user per run, so every run adds 10k new domains.
import { randomUUID } from "node:crypto";
import { createServices } from "../../src/app/services.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { systemClock } from "../../src/shared/clock.js";
import { FakeCheckers } from "../../test/support/checkFixtures.js";
import { benchConfig, openBenchInfrastructure } from "../support/app.js";
import { createBenchDatabase } from "../support/database.js";
import type { Measurement } from "../support/report.js";
import { startServerProcess } from "../support/serverProcess.js";
import type { BenchOptions, Workload } from "../support/workload.js";

const ROWS_PER_REQUEST = 1000;

export const bulkImport: Workload = {
  ids: [12],
  name: "bulk import of 10k domains through POST /domains/bulk",
  async run({ quick, profileDir, log }: BenchOptions): Promise<Measurement[]> {
    const total = quick ? 2_000 : 10_000;
    const runs = quick ? 1 : 3;
    const db = await createBenchDatabase("bulk");
    const infra = await openBenchInfrastructure(db.url, 4);
    const services = createServices(infra, {
      clock: systemClock,
      logger: createLogger("silent"),
      config: benchConfig(db.url, 4),
      leaderElection: false,
      checkers: new FakeCheckers(systemClock),
    });
    const keys: string[] = [];
    for (let run = 0; run < runs; run++) keys.push((await services.accounts.registerUser({ correlationId: randomUUID() }, `bulk-${run}@example.com`)).key);
    await services.projections.catchUp();
    await infra.close();
    const server = await startServerProcess(db.url, 6, profileDir);
    try {
      const rates: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        for (let i = 0; i < total; i += ROWS_PER_REQUEST) {
          const domains = Array.from({ length: ROWS_PER_REQUEST }, (_, j) => ({ hostname: `import-${i + j}.example.com`, tags: ["imported"] }));
          const res = await fetch(`${server.url}/api/v1/domains/bulk`, {
            method: "POST",
            headers: { authorization: `Bearer ${keys[run]}`, "content-type": "application/json" },
            body: JSON.stringify({ domains }),
          });
          const body = (await res.json()) as { created?: number; error?: string };
          if (res.status !== 200 || body.created !== ROWS_PER_REQUEST) throw new Error(`bulk import answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
        }
        rates.push(total / ((performance.now() - started) / 1000));
        log(`run ${run + 1}/${runs}: ${rates.at(-1)!.toFixed(0)} domains/s`);
      }
      return [{ id: "12", workload: `import ${total.toLocaleString("en-US")} domains, ${ROWS_PER_REQUEST} a request`, unit: "domains/s", values: rates, target: { kind: "valueAtLeast", value: 2000 } }];
    } finally {
      await server.stop();
      await db.drop();
    }
  },
};
