// Workload 5: POST /domains end to end, 20 connections, each request a new hostname; the
// response is the created domain read back from the read model (read-your-writes), so every
// create waits for the projectors. Reference: workload 4's floor (bare pg req/s).
import type { ApiFixture } from "../support/apiFixture.js";
import { httpLoad, type LoadResult } from "../support/httpLoad.js";
import type { Measurement } from "../support/report.js";

const CONNECTIONS = 20;

async function creates(fixture: ApiFixture, seconds: number, run: number): Promise<LoadResult> {
  let n = 0;
  const r = await httpLoad({
    url: fixture.server.url,
    connections: CONNECTIONS,
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
  await creates(fixture, 2, -1);
  const results: LoadResult[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(await creates(fixture, seconds, run));
    log(`run ${run + 1}/${runs}: ${results.at(-1)!.okPerSecond.toFixed(0)} creates/s, p99 ${results.at(-1)!.p99Ms} ms`);
  }
  const workload = "POST /domains end to end (read-your-writes), 20 connections";
  return [
    {
      id: "5a",
      workload,
      unit: "creates/s",
      values: results.map((r) => r.okPerSecond),
      reference: { name: "#4 floor", values: floorPerSecond, unit: "req/s" },
      target: { kind: "valueAtLeast", value: 500 },
    },
    { id: "5b", workload: `${workload}: p99 latency`, unit: "ms", values: results.map((r) => r.p99Ms), target: { kind: "valueBelow", value: 30 } },
  ];
}
