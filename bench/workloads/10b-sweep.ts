// Workload 10b: what the scheduler's due-work sweep costs at 100k domains. The domains read
// model holds 100,000 active, never-checked domains (all due, both kinds: 200,000 checks), as
// on the first start after a bulk import or a long outage. Timed, from an empty queue each:
// - 10b: the bounded sweep as configured by default (SSLTRACKR_SWEEP_MAX_JOBS), which queues
//   the cap's worth of the most overdue checks and leaves the rest due;
// - 10b'': the next bounded sweep, once workers have taken those jobs (the next tick);
// - reference: one sweep that queues all 200,000 jobs (the sweep before it was bounded), and
//   10b': the sweep after it, which finds every key queued and reads the whole schedule for
//   nothing to add.
import { randomUUID } from "node:crypto";
import { createKnex, migrateReadModels } from "../../src/infrastructure/postgres/knex.js";
import { JobQueue } from "../../src/infrastructure/queue/jobQueue.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { LeaderSession } from "../../src/infrastructure/postgres/leaderLock.js";
import { loadConfig } from "../../src/config.js";
import { CHECK_QUEUE, ensureCheckQueue } from "../../src/monitoring/checkJobs.js";
import { CheckScheduler, schedulerSettings } from "../../src/monitoring/scheduler/checkScheduler.js";
import { systemClock } from "../../src/shared/clock.js";
import { createBenchDatabase } from "../support/database.js";
import type { Measurement } from "../support/report.js";
import { rotate, type BenchOptions, type Workload } from "../support/workload.js";

export const sweep: Workload = {
  ids: [10, "10b"],
  name: "due-work sweep onto the check queue",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const domains = quick ? 10_000 : 100_000;
    const runs = quick ? 1 : 3;
    const cap = loadConfig({}).SSLTRACKR_SWEEP_MAX_JOBS;
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
      const scheduler = (sweepMaxJobs: number) =>
        new CheckScheduler(
          { knex, leaderSession: session, queue, owner: "bench", clock: systemClock, logger: createLogger("silent") },
          { ...schedulerSettings(loadConfig({})), sweepMaxJobs },
        );
      const bounded = scheduler(cap);
      // A bound above all there is to queue: the sweep as before, and its next sweep still has
      // room, so it reads the whole schedule (10b') rather than stopping at a full queue.
      const everything = scheduler(4 * domains);
      if (!(await bounded.leader.tryLead()) || !(await everything.leader.tryLead())) throw new Error("could not lead");
      const emptyQueue = async () => {
        await knex.raw("delete from pgboss.job");
        await knex.raw("vacuum analyze pgboss.job");
      };
      const timed = async (sweep: CheckScheduler, expected: number, what: string) => {
        const started = performance.now();
        const queued = await sweep.sweep();
        const seconds = (performance.now() - started) / 1000;
        if (queued !== expected) throw new Error(`${what}: queued ${queued} jobs, expected ${expected}`);
        return seconds;
      };
      const first: number[] = [];
      const next: number[] = [];
      const all: number[] = [];
      const idle: number[] = [];
      for (let run = 0; run < runs; run++) {
        // Both contenders start from an empty queue, in ABBA order across runs.
        for (const contender of rotate(["bounded", "all"] as const, run)) {
          await emptyQueue();
          if (contender === "bounded") {
            first.push(await timed(bounded, cap, "bounded sweep"));
            // The workers take every queued job (they run, so their keys stay pending): the next tick tops the queue up again.
            await queue.fetch(CHECK_QUEUE, cap);
            next.push(await timed(bounded, cap, "next bounded sweep"));
          } else {
            all.push(await timed(everything, 2 * domains, "sweep of everything"));
            idle.push(await timed(everything, 0, "sweep after everything"));
          }
        }
        log(
          `run ${run + 1}/${runs}: bounded ${first.at(-1)!.toFixed(2)} s (${cap} jobs), next ${next.at(-1)!.toFixed(2)} s; ` +
            `everything ${all.at(-1)!.toFixed(2)} s (${2 * domains} jobs), the sweep after ${idle.at(-1)!.toFixed(2)} s`,
        );
      }
      const size = `${domains.toLocaleString("en-US")} domains all due (${(2 * domains).toLocaleString("en-US")} checks)`;
      return [
        {
          id: "10b",
          workload: `due-work sweep bounded to SSLTRACKR_SWEEP_MAX_JOBS=${cap} (the default), ${size}, empty queue: ${cap.toLocaleString("en-US")} jobs queued, most overdue first`,
          unit: "s",
          values: first,
          reference: { name: `one sweep queueing all ${(2 * domains).toLocaleString("en-US")} jobs (the unbounded sweep before the bound)`, values: all },
          target: { kind: "valueBelow", value: 2 },
          note: `the unbounded sweep is the reference, not a target: it is what the first tick used to cost`,
        },
        {
          id: "10b''",
          workload: `the next bounded sweep, once workers have taken the first ${cap.toLocaleString("en-US")} jobs: ${cap.toLocaleString("en-US")} more (the backlog drains a cap a tick)`,
          unit: "s",
          values: next,
          target: { kind: "valueBelow", value: 2 },
        },
        {
          id: "10b'",
          workload: `due-work sweep, ${domains.toLocaleString("en-US")} domains, every key already queued (nothing to add; the whole schedule read)`,
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
