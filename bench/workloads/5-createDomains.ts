// Workload 5: POST /domains end to end, each request a new hostname, at 20 connections
// (throughput) and at 4 (latency); the response is the created domain read back from the read
// model (read-your-writes), so every create waits for the projectors. Reference: workload 4's
// floor (bare pg req/s).
import type { ApiFixture } from "../support/apiFixture.js";
import { httpLoad, type LoadResult } from "../support/httpLoad.js";
import type { Measurement } from "../support/report.js";

const CONNECTIONS = 20;
const FEW_CONNECTIONS = 4;

/** POST /domains from `connections` clients for `seconds`, each a new hostname (`run` keeps them apart across calls). */
export async function creates(fixture: ApiFixture, seconds: number, run: string, connections: number): Promise<LoadResult> {
  let n = 0;
  const r = await httpLoad({
    url: fixture.server.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/api/v1/domains",
        headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ hostname: `new-${run}-${n++}.example.com`, tags: ["bench"] }) }),
      },
    ],
  });
  if (r.failures > 0) throw new Error(`POST /domains: ${r.failures} failed requests`);
  return r;
}

export async function measureCreate(fixture: ApiFixture, floorPerSecond: readonly number[], quick: boolean, log: (m: string) => void): Promise<Measurement[]> {
  const seconds = quick ? 3 : 10;
  const runs = floorPerSecond.length;
  await creates(fixture, 2, "warm", CONNECTIONS);
  const results: LoadResult[] = [];
  const few: LoadResult[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(await creates(fixture, seconds, `${run}`, CONNECTIONS));
    few.push(await creates(fixture, seconds, `${run}-few`, FEW_CONNECTIONS));
    const [r, f] = [results.at(-1)!, few.at(-1)!];
    log(`run ${run + 1}/${runs}: ${CONNECTIONS} connections ${r.okPerSecond.toFixed(0)} creates/s, p99 ${r.p99Ms} ms; ${FEW_CONNECTIONS} connections ${f.okPerSecond.toFixed(0)} creates/s, p99 ${f.p99Ms} ms`);
  }
  const workload = "POST /domains end to end (read-your-writes), checks on create off";
  return [
    {
      id: "5a",
      workload: `${workload}, ${CONNECTIONS} connections`,
      unit: "creates/s",
      values: results.map((r) => r.okPerSecond),
      reference: { name: "#4 floor", values: floorPerSecond, unit: "req/s" },
      target: { kind: "valueAtLeast", value: 600 },
    },
    { id: "5b", workload: `${workload}, ${FEW_CONNECTIONS} connections: p99 latency`, unit: "ms", values: few.map((r) => r.p99Ms), target: { kind: "valueBelow", value: 30 } },
    { id: "5c", workload: `${workload}, ${CONNECTIONS} connections: p99 latency`, unit: "ms", values: results.map((r) => r.p99Ms), target: { kind: "report" } },
  ];
}
