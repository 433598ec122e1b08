// Workload 10b: what the scheduler's due-work sweep costs at 100k domains. The domains read
// model holds 100,000 active, never-checked domains (all due, both kinds); one sweep reads
// them from the read model and queues 200,000 check jobs on the pg-boss queue (pages of 10,000
// domains). Also timed: the next sweep, which finds every key queued and queues nothing (the
// steady state between ticks). The queue is emptied between runs.
import { randomUUID } from "node:crypto";
import { createKnex, migrateReadModels } from "../../src/infrastructure/postgres/knex.js";
import { JobQueue } from "../../src/infrastructure/queue/jobQueue.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { LeaderSession } from "../../src/infrastructure/postgres/leaderLock.js";
import { ensureCheckQueue } from "../../src/monitoring/checkJobs.js";
import { CheckScheduler } from "../../src/monitoring/scheduler/checkScheduler.js";
import { systemClock } from "../../src/shared/clock.js";
import { createBenchDatabase } from "../support/database.js";
import type { Measurement } from "../support/report.js";
import type { BenchOptions, Workload } from "../support/workload.js";

const HOUR = 3_600_000;

export const sweep: Workload = {
  ids: [10],
  name: "due-work sweep onto the check queue",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const domains = quick ? 10_000 : 100_000;
    const runs = quick ? 1 : 3;
    const db = await createBenchDatabase("sweep");
    const knex = createKnex(db.url, { poolMax: 4 });
    const session = new LeaderSession(db.url);
    const queue = await JobQueue.open({ databaseUrl: db.url, poolMax: 4, onError: () => undefined, maintenanceSeconds: null });
    try {
      await migrateReadModels(knex);
      await ensureCheckQueue(queue, 60);
      const now = new Date();
      for (let i = 0; i < domains; i += 5000) {
        const rows = Array.from({ length: Math.min(5000, domains - i) }, (_, k) => ({
          id: randomUUID(),
          user_id: randomUUID(),
          hostname: `d${i + k}.bench.test`,
          port: 443,
          is_active: true,
          tags: "[]",
          created_at: now,
          updated_at: now,
          stream_revision: 0,
        }));
        await knex("domains").insert(rows);
      }
      await knex.raw("analyze domains");
      log(`${domains} due domains in the read model`);
      const scheduler = new CheckScheduler(
        { knex, leaderSession: session, queue, owner: "bench", clock: systemClock, logger: createLogger("silent") },
        { tickSeconds: 30, sslIntervalMs: 12 * HOUR, whoisIntervalMs: 24 * HOUR },
      );
      if (!(await scheduler.leader.tryLead())) throw new Error("could not lead");
      const full: number[] = [];
      const idle: number[] = [];
      for (let run = 0; run < runs; run++) {
        await knex.raw("delete from pgboss.job");
        await knex.raw("vacuum analyze pgboss.job");
        let started = performance.now();
        const queued = await scheduler.sweep();
        full.push((performance.now() - started) / 1000);
        if (queued !== 2 * domains) throw new Error(`queued ${queued} jobs, expected ${2 * domains}`);
        started = performance.now();
        const again = await scheduler.sweep();
        idle.push((performance.now() - started) / 1000);
        if (again !== 0) throw new Error(`the second sweep queued ${again} jobs`);
        log(`run ${run + 1}/${runs}: ${full.at(-1)!.toFixed(2)} s to queue ${queued} jobs, ${idle.at(-1)!.toFixed(2)} s for the sweep after`);
      }
      return [
        {
          id: "10b",
          workload: `due-work sweep, ${domains.toLocaleString("en-US")} domains all due: ${(2 * domains).toLocaleString("en-US")} jobs queued`,
          unit: "s",
          values: full,
          target: { kind: "valueBelow", value: 2 },
        },
        {
          id: "10b'",
          workload: `due-work sweep, ${domains.toLocaleString("en-US")} domains, every key already queued (nothing to add)`,
          unit: "s",
          values: idle,
          target: { kind: "valueBelow", value: 2 },
        },
      ];
    } finally {
      await queue.close();
      await session.close();
      await knex.destroy();
      await db.drop();
    }
  },
};
