// Workload 3: rebuild from zero of the read models of domains, checks and alerts (the
// projections "domains", "check_history" and "alerts", side by side as three projectors) over
// 1M events of domain streams. The floor: the same resulting rows copied into empty tables of
// the same shape (same indexes) through the client, one keyset page read and one multi-row
// INSERT per 500 rows (the projector's batch size), one connection per table, without any
// projection logic.
import type pg from "pg";
import { alertsProjection } from "../../projections/alerts.js";
import { checkHistoryProjection } from "../../projections/checkHistory.js";
import { domainsProjection } from "../../projections/domains.js";
import { ProjectionRunner } from "../../src/infrastructure/projections/projectionRunner.js";
import { openBenchInfrastructure } from "../support/app.js";
import { createBenchDatabase } from "../support/database.js";
import { appendHistories, domainHistory } from "../support/domainHistory.js";
import type { Measurement } from "../support/report.js";
import { rotate, type BenchOptions, type Workload } from "../support/workload.js";

const EVENTS_PER_DOMAIN = 20;
const USERS = 100;
const PAGE = 500;
const projections = [domainsProjection, checkHistoryProjection, alertsProjection];
const tables = projections.flatMap((p) => p.tables);

/** Copies a table's rows into floor_<table>; values travel as text (no client-side parsing). */
async function copyTable(pool: pg.Pool, table: string): Promise<number> {
  const client = await pool.connect();
  try {
    const { rows: cols } = await client.query<{ column_name: string }>(
      "select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position",
      [table],
    );
    const names = cols.map((c) => c.column_name);
    const list = names.map((n) => `"${n}"`).join(", ");
    const raw = { getTypeParser: () => (value: string) => value };
    let after = "00000000-0000-0000-0000-000000000000";
    let copied = 0;
    while (true) {
      const { rows } = await client.query<Record<string, string | null>>({
        text: `select ${list} from ${table} where id > $1 order by id limit ${PAGE}`,
        values: [after],
        types: raw,
      });
      if (rows.length === 0) return copied;
      const values = rows.map((_, r) => `(${names.map((__, c) => `$${r * names.length + c + 1}`).join(", ")})`).join(", ");
      await client.query(`insert into floor_${table} (${list}) values ${values}`, rows.flatMap((row) => names.map((n) => row[n] ?? null)));
      copied += rows.length;
      after = rows.at(-1)!["id"]!;
    }
  } finally {
    client.release();
  }
}

export const rebuild: Workload = {
  ids: [3],
  name: "projection rebuild from zero (domains, checks, alerts)",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const events = quick ? 20_000 : 1_000_000;
    // One run in full: at the rate measured on this machine (~2k events/s, see bench/results.md)
    // a rebuild of 1M events takes about 8 minutes.
    const runs = 1;
    const db = await createBenchDatabase("rebuild");
    // Pools of 6 (events, read models) plus the floor's 4 stay within 20 connections.
    const infra = await openBenchInfrastructure(db.url, 6);
    try {
      const started = Date.now();
      const start = new Date(Date.now() - 30 * 86_400_000);
      const userIds = Array.from({ length: USERS }, () => crypto.randomUUID());
      const seeded = await appendHistories(infra.eventStore, events / EVENTS_PER_DOMAIN, 8, (i) =>
        domainHistory({ userId: userIds[i % USERS]!, hostname: `d${i}.example.com`, events: EVENTS_PER_DOMAIN, certDays: 1 + (i % 40), start }),
      );
      log(`seeded ${seeded} events in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      const runner = new ProjectionRunner(infra.knex, infra.eventStore, projections);
      const floorPool = db.pool(tables.length);
      for (const t of tables) await floorPool.query(`create table floor_${t} (like ${t} including all)`);
      const results = { rebuild: [] as number[], floor: [] as number[] };
      const contenders = {
        rebuild: async () => {
          const t = performance.now();
          await Promise.all(projections.map((p) => runner.rebuild(p)));
          return seeded / ((performance.now() - t) / 1000);
        },
        floor: async () => {
          for (const t of tables) await floorPool.query(`truncate floor_${t}`);
          const t = performance.now();
          await Promise.all(tables.map((table) => copyTable(floorPool, table)));
          return seeded / ((performance.now() - t) / 1000);
        },
      };
      // The floor copies what the rebuild produced, so the first run rebuilds first.
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(["rebuild", "floor"] as const, run)) results[name].push(await contenders[name]());
        log(`run ${run + 1}/${runs}: rebuild ${results.rebuild.at(-1)!.toFixed(0)} events/s, floor ${results.floor.at(-1)!.toFixed(0)} events/s`);
      }
      const counts = await Promise.all(tables.map(async (t) => `${t} ${(await infra.knex(t).count<{ c: string }[]>({ c: "*" }))[0]?.c ?? 0}`));
      const workload = `projection rebuild from zero, ${seeded / 1000}k events`;
      return [
        { id: "3a", workload, unit: "events/s", values: results.rebuild, reference: { name: "raw copy of the resulting rows", values: results.floor }, target: { kind: "ratioAtLeast", ratio: 0.4 }, note: `rows: ${counts.join(", ")}` },
        { id: "3b", workload, unit: "events/s", values: results.rebuild, target: { kind: "valueAtLeast", value: 30_000 } },
      ];
    } finally {
      await infra.close();
      await db.drop();
    }
  },
};
