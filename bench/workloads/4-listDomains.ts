// Workload 4: GET /domains?per_page=20&sort=ssl_days_remaining for the user with 10k domains
// (among 100k), at 50 connections and at 4. The floor: the same SQL (captured from the query
// service) through a bare pg pool of the server's size, as many requests in flight.
import pg from "pg";
import { SERVER_POOL, type ApiFixture } from "../support/apiFixture.js";
import { httpLoad } from "../support/httpLoad.js";
import type { Measurement } from "../support/report.js";
import { median, percentile } from "../support/stats.js";
import { rotate, warmPool } from "../support/workload.js";

const CONNECTIONS = 50;
const FEW_CONNECTIONS = 4;
export const LIST_PATH = "/api/v1/domains?per_page=20&sort=ssl_days_remaining";

export interface RateAndLatency {
  readonly perSecond: number;
  readonly p99Ms: number;
  /**
   * CPU per request, in ms: of this process (the load generator: autocannon, or the floor's
   * pg client) and of the server process (0 for the floor). PostgreSQL's is not counted. The
   * two contenders share 2 cores with PostgreSQL, so the API's client and server CPU is what
   * the floor does not pay.
   */
  readonly clientCpuMs: number;
  readonly serverCpuMs: number;
}

/** Runs `load` and adds the CPU per request this process and the server used meanwhile. */
async function withCpu(fixture: ApiFixture, load: () => Promise<{ perSecond: number; p99Ms: number; requests: number }>): Promise<RateAndLatency> {
  const client = process.cpuUsage();
  const server = fixture.server.cpuMs();
  const r = await load();
  const used = process.cpuUsage(client);
  return {
    perSecond: r.perSecond,
    p99Ms: r.p99Ms,
    clientCpuMs: (used.user + used.system) / 1000 / r.requests,
    serverCpuMs: (fixture.server.cpuMs() - server) / r.requests,
  };
}

/** The floor: each "request" runs the statements the service runs for the page (at once), prepared where the service prepares them. */
async function floor(fixture: ApiFixture, seconds: number, connections: number): Promise<RateAndLatency> {
  const pool = new pg.Pool({ connectionString: fixture.db.url, max: SERVER_POOL });
  try {
    await warmPool(pool, SERVER_POOL);
    return await withCpu(fixture, async () => {
      const latencies: number[] = [];
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < until) {
            const t = performance.now();
            await Promise.all(fixture.listSql.map((q) => pool.query({ ...(q.name ? { name: q.name } : {}), text: q.sql, values: [...q.bindings] })));
            latencies.push(performance.now() - t);
          }
        }),
      );
      return { perSecond: latencies.length / seconds, p99Ms: percentile(latencies, 99), requests: latencies.length };
    });
  } finally {
    await pool.end();
  }
}

async function api(fixture: ApiFixture, seconds: number, connections: number): Promise<RateAndLatency> {
  return withCpu(fixture, async () => {
    const r = await httpLoad({
      url: fixture.server.url + LIST_PATH,
      connections,
      duration: seconds,
      headers: { authorization: `Bearer ${fixture.key}` },
    });
    if (r.failures > 0) throw new Error(`GET /domains: ${r.failures} failed requests`);
    return { perSecond: r.okPerSecond, p99Ms: r.p99Ms, requests: r.okPerSecond * seconds };
  });
}

/** The CPU per request of each side (medians over the runs), for the notes. */
function cpuNote(r: { api: RateAndLatency[]; floor: RateAndLatency[] }): string {
  const med = (xs: number[]) => median(xs).toFixed(2);
  return (
    `CPU per request: API ${med(r.api.map((x) => x.clientCpuMs))} ms load generator + ${med(r.api.map((x) => x.serverCpuMs))} ms server; ` +
    `floor ${med(r.floor.map((x) => x.clientCpuMs))} ms pg client (PostgreSQL not counted)`
  );
}

export async function measureList(fixture: ApiFixture, quick: boolean, log: (m: string) => void) {
  const seconds = quick ? 3 : 10;
  const runs = quick ? 1 : 3;
  // One short untimed round of each warms the JIT, the server's pools and PostgreSQL's caches.
  await api(fixture, 2, CONNECTIONS);
  await floor(fixture, 2, CONNECTIONS);
  const contenders = { api, floor };
  const results = { api: [] as RateAndLatency[], floor: [] as RateAndLatency[] };
  const few = { api: [] as RateAndLatency[], floor: [] as RateAndLatency[] };
  for (let run = 0; run < runs; run++) {
    for (const name of rotate(["api", "floor"] as const, run)) {
      results[name].push(await contenders[name](fixture, seconds, CONNECTIONS));
      few[name].push(await contenders[name](fixture, seconds, FEW_CONNECTIONS));
    }
    const cpu = (x: RateAndLatency) => `CPU/request ${x.clientCpuMs.toFixed(2)} ms client + ${x.serverCpuMs.toFixed(2)} ms server`;
    const line = (r: typeof results, n: number) =>
      `${n} connections: API ${r.api.at(-1)!.perSecond.toFixed(0)} req/s p99 ${r.api.at(-1)!.p99Ms} ms (${cpu(r.api.at(-1)!)}), floor ${r.floor.at(-1)!.perSecond.toFixed(0)} req/s p99 ${r.floor.at(-1)!.p99Ms.toFixed(1)} ms (${cpu(r.floor.at(-1)!)})`;
    log(`run ${run + 1}/${runs}: ${line(results, CONNECTIONS)}; ${line(few, FEW_CONNECTIONS)}`);
  }
  const workload = `GET /domains?per_page=20&sort=ssl_days_remaining, user with ${fixture.mine / 1000}k of ${fixture.domains / 1000}k domains`;
  const reference = (r: RateAndLatency[], unit?: string) => ({ name: "same SQL on a bare pg pool", values: r.map((x) => (unit ? x.p99Ms : x.perSecond)), ...(unit ? { unit } : {}) });
  const measurements: Measurement[] = [
    {
      id: "4a",
      workload: `${workload}, ${CONNECTIONS} connections`,
      unit: "req/s",
      values: results.api.map((r) => r.perSecond),
      reference: reference(results.floor),
      target: { kind: "ratioAtLeast", ratio: 0.6 },
      note: cpuNote(results),
    },
    {
      id: "4b",
      workload: `${workload}, ${CONNECTIONS} connections: p99 latency`,
      unit: "ms",
      values: results.api.map((r) => r.p99Ms),
      reference: reference(results.floor, "ms"),
      target: { kind: "ratioAtMost", ratio: 1.5 },
    },
    {
      id: "4c",
      workload: `${workload}, ${FEW_CONNECTIONS} connections: p99 latency`,
      unit: "ms",
      values: few.api.map((r) => r.p99Ms),
      reference: reference(few.floor, "ms"),
      target: { kind: "valueBelow", value: 10 },
      note: cpuNote(few),
    },
  ];
  return { measurements, floor: results.floor.map((r) => r.perSecond) };
}
