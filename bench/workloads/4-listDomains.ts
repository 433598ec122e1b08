// Workload 4: GET /domains?per_page=20&sort=ssl_days_remaining for the user with 10k domains
// (among 100k), 50 connections. The floor: the same SQL (captured from the query service)
// through a bare pg pool of the server's size, 50 requests in flight.
import pg from "pg";
import { SERVER_POOL, type ApiFixture } from "../support/apiFixture.js";
import { httpLoad } from "../support/httpLoad.js";
import type { Measurement } from "../support/report.js";
import { percentile } from "../support/stats.js";
import { rotate, warmPool } from "../support/workload.js";

const CONNECTIONS = 50;
export const LIST_PATH = "/api/v1/domains?per_page=20&sort=ssl_days_remaining";

export interface RateAndLatency {
  readonly perSecond: number;
  readonly p99Ms: number;
}

/** The floor: each "request" runs the page and count statements at once, as the service does. */
async function floor(fixture: ApiFixture, seconds: number): Promise<RateAndLatency> {
  const pool = new pg.Pool({ connectionString: fixture.db.url, max: SERVER_POOL });
  try {
    await warmPool(pool, SERVER_POOL);
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          await Promise.all(fixture.listSql.map((q) => pool.query(q.sql, [...q.bindings])));
          latencies.push(performance.now() - t);
        }
      }),
    );
    return { perSecond: latencies.length / seconds, p99Ms: percentile(latencies, 99) };
  } finally {
    await pool.end();
  }
}

async function api(fixture: ApiFixture, seconds: number): Promise<RateAndLatency> {
  const r = await httpLoad({
    url: fixture.server.url + LIST_PATH,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${fixture.key}` },
  });
  if (r.failures > 0) throw new Error(`GET /domains: ${r.failures} failed requests`);
  return { perSecond: r.okPerSecond, p99Ms: r.p99Ms };
}

export async function measureList(fixture: ApiFixture, quick: boolean, log: (m: string) => void) {
  const seconds = quick ? 3 : 10;
  const runs = quick ? 1 : 3;
  // One short untimed round of each warms the JIT, the server's pools and PostgreSQL's caches.
  await api(fixture, 2);
  await floor(fixture, 2);
  const results = { api: [] as RateAndLatency[], floor: [] as RateAndLatency[] };
  for (let run = 0; run < runs; run++) {
    for (const name of rotate(["api", "floor"] as const, run)) results[name].push(await (name === "api" ? api : floor)(fixture, seconds));
    const [a, f] = [results.api.at(-1)!, results.floor.at(-1)!];
    log(`run ${run + 1}/${runs}: API ${a.perSecond.toFixed(0)} req/s p99 ${a.p99Ms} ms, floor ${f.perSecond.toFixed(0)} req/s p99 ${f.p99Ms.toFixed(1)} ms`);
  }
  const workload = `GET /domains?per_page=20&sort=ssl_days_remaining, user with ${fixture.mine / 1000}k of ${fixture.domains / 1000}k domains, 50 connections`;
  const measurements: Measurement[] = [
    {
      id: "4a",
      workload,
      unit: "req/s",
      values: results.api.map((r) => r.perSecond),
      reference: { name: "same SQL on a bare pg pool", values: results.floor.map((r) => r.perSecond) },
      target: { kind: "ratioAtLeast", ratio: 0.4 },
    },
    { id: "4b", workload: `${workload}: p99 latency`, unit: "ms", values: results.api.map((r) => r.p99Ms), target: { kind: "valueBelow", value: 50 } },
  ];
  return { measurements, floor: results.floor.map((r) => r.perSecond) };
}
