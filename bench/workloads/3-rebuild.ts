// Workload 3: rebuild from zero of the read models of domains, checks and alerts (the
// projections "domains", "check_history" and "alerts", side by side) over 1M events of domain
// streams. References in the same run: (a) the floor, the same resulting rows streamed with
// COPY table TO STDOUT into COPY floor_table FROM STDIN through the driver, one connection
// pair per table, no projection logic; (b) the naive copy of before issue 12, one keyset page
// read and one multi-row INSERT per 500 rows. 3p: the same rebuild split into 2 stream
// partitions (two runners with pools of their own, as two processes would be) against 1; the
// tables must come out identical. The three projections are rebuilt by one call, as
// `ssltrackr projections rebuild` does: one read of the log for the three. The log is seeded
// by COPY with the rows appends would write (bench/support/domainHistory.ts, copyHistories).
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { alertsProjection } from "../../projections/alerts.js";
import { checkHistoryProjection } from "../../projections/checkHistory.js";
import { domainsProjection } from "../../projections/domains.js";
import { ProjectionRunner } from "../../src/infrastructure/projections/projectionRunner.js";
import { openBenchInfrastructure } from "../support/app.js";
import { createBenchDatabase } from "../support/database.js";
import { copyHistories, domainHistory } from "../support/domainHistory.js";
import type { Measurement } from "../support/report.js";
import type { BenchOptions, Workload } from "../support/workload.js";

const EVENTS_PER_DOMAIN = 20;
const USERS = 100;
const PAGE = 500;
const projections = [domainsProjection, checkHistoryProjection, alertsProjection];
const tables = projections.flatMap((p) => p.tables);

async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/** (a) The floor: a table's rows streamed by COPY out of it and into floor_<table>. */
const copyFloor = (pool: pg.Pool, table: string) =>
  withClient(pool, (source) =>
    withClient(pool, (target) => pipeline(source.query(copyTo(`copy ${table} to stdout`)), target.query(copyFrom(`copy floor_${table} from stdin`)))),
  );

/** (b) The naive copy: keyset pages, one multi-row INSERT each; values travel as text. */
async function naiveCopy(pool: pg.Pool, table: string): Promise<void> {
  await withClient(pool, async (client) => {
    const { rows: cols } = await client.query<{ column_name: string }>(
      // Generated columns (domains.renewal_due_at) are computed by PostgreSQL, never inserted.
      "select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1 and is_generated = 'NEVER' order by ordinal_position",
      [table],
    );
    const names = cols.map((c) => c.column_name);
    const list = names.map((n) => `"${n}"`).join(", ");
    const raw = { getTypeParser: () => (value: string) => value };
    let after = "00000000-0000-0000-0000-000000000000";
    while (true) {
      const { rows } = await client.query<Record<string, string | null>>({
        text: `select ${list} from ${table} where id > $1 order by id limit ${PAGE}`,
        values: [after],
        types: raw,
      });
      if (rows.length === 0) return;
      const values = rows.map((_, r) => `(${names.map((__, c) => `$${r * names.length + c + 1}`).join(", ")})`).join(", ");
      await client.query(`insert into naive_${table} (${list}) values ${values}`, rows.flatMap((row) => names.map((n) => row[n] ?? null)));
      after = rows.at(-1)!["id"]!;
    }
  });
}

/**
 * md5 of each table's rows' md5s in key order: equal tables, equal digests. (Aggregating the
 * rows' text itself exceeds PostgreSQL's 1 GB value limit at 1M events: 555k SSL results.)
 */
async function digests(pool: pg.Pool): Promise<string[]> {
  return Promise.all(
    tables.map(async (t) => (await pool.query<{ d: string }>(`select md5(string_agg(md5(x::text), ',' order by x.id)) as d from ${t} x`)).rows[0]?.d ?? ""),
  );
}

const seconds = (since: number) => (performance.now() - since) / 1000;

export const rebuild: Workload = {
  ids: [3],
  name: "projection rebuild from zero (domains, checks, alerts), its floors, and 2 partitions",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const events = quick ? 20_000 : 1_000_000;
    const db = await createBenchDatabase("rebuild");
    // Two infrastructures (the second for partition 2) with knex pools of 7 (three projections
    // in two lanes each, and the checkpoint reads) and event-store pools of 7, plus the floors' 8.
    const infra = await openBenchInfrastructure(db.url, 7);
    const second = await openBenchInfrastructure(db.url, 7);
    const pool = db.pool(tables.length * 2);
    try {
      const started = Date.now();
      const start = new Date(Date.now() - 30 * 86_400_000);
      const userIds = Array.from({ length: USERS }, () => crypto.randomUUID());
      const seeded = await copyHistories(pool, "eventstore", events / EVENTS_PER_DOMAIN, (i) =>
        domainHistory({ userId: userIds[i % USERS]!, hostname: `d${i}.example.com`, events: EVENTS_PER_DOMAIN, certDays: 1 + (i % 40), start }),
      );
      // As autovacuum would after a bulk load: the log's reads plan on real statistics.
      await pool.query("vacuum analyze eventstore.events");
      log(`seeded ${seeded} events in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      for (const t of tables) await pool.query(`create table floor_${t} (like ${t} including all); create table naive_${t} (like ${t} including all)`);

      let t = performance.now();
      await new ProjectionRunner(infra.knex, infra.eventStore, projections).rebuild(projections);
      const rebuildRate = seeded / seconds(t);
      log(`rebuild: ${rebuildRate.toFixed(0)} events/s`);
      const one = await digests(pool);

      t = performance.now();
      await Promise.all(tables.map((table) => copyFloor(pool, table)));
      const floorRate = seeded / seconds(t);
      t = performance.now();
      await Promise.all(tables.map((table) => naiveCopy(pool, table)));
      const naiveRate = seeded / seconds(t);
      log(`COPY floor: ${floorRate.toFixed(0)} events/s, naive copy: ${naiveRate.toFixed(0)} events/s`);

      t = performance.now();
      await Promise.all(
        [infra, second].map((side, index) => new ProjectionRunner(side.knex, side.eventStore, projections).rebuild(projections, undefined, { partition: { index, count: 2 } })),
      );
      const partitionedRate = seeded / seconds(t);
      const two = await digests(pool);
      const identical = two.every((d, i) => d === one[i]);
      log(`2 partitions: ${partitionedRate.toFixed(0)} events/s, tables ${identical ? "identical" : "DIFFERENT"}`);
      if (!identical) throw new Error(`2 partitions built different tables than 1: ${tables.join(", ")}: ${one.join(" ")} vs ${two.join(" ")}`);

      const counts = await Promise.all(tables.map(async (table) => `${table} ${(await pool.query<{ c: string }>(`select count(*) as c from ${table}`)).rows[0]?.c ?? 0}`));
      const workload = `projection rebuild from zero, ${seeded / 1000}k events`;
      return [
        { id: "3a", workload, unit: "events/s", values: [rebuildRate], reference: { name: "COPY FROM STDIN of the same rows, a connection per table (floor)", values: [floorRate] }, target: { kind: "ratioAtLeast", ratio: 0.25 }, note: `rows: ${counts.join(", ")}` },
        { id: "3b", workload, unit: "events/s", values: [rebuildRate], target: { kind: "valueAtLeast", value: 30_000 } },
        { id: "3c", workload, unit: "events/s", values: [rebuildRate], reference: { name: "naive copy (keyset page + INSERT of 500 rows)", values: [naiveRate] }, target: { kind: "report" } },
        { id: "3p", workload: `${workload}, 2 stream partitions`, unit: "events/s", values: [partitionedRate], reference: { name: "1 partition", values: [rebuildRate] }, target: { kind: "report" }, note: "tables identical to 1 partition's (md5 of every row)" },
      ];
    } finally {
      await Promise.all([infra.close(), second.close()]);
      await db.drop();
    }
  },
};
