// A bounded load generator for a running server: GET /domains and POST /domains in a chosen
// mix, a fixed number of workers, until the duration or the request count runs out; prints
// requests/s, latency percentiles and status counts. For the benchmarks of record see
// `npm run bench` (docs/benchmarks.md); this is for a quick look at a deployment of your own.
//
//   node --import tsx scripts/load.ts --key <api key> [--url http://127.0.0.1:3000]
//       [--duration 10] [--concurrency 10] [--max-requests 100000] [--post-ratio 0.1] [--allow-remote]
//
// Bounded on purpose: at most 300 s, 200 workers and 1M requests. Only loopback targets
// unless --allow-remote (load on someone else's server is an attack, not a test). POSTs
// create domains named load-<run>-<n>.example.com in the key's account; they stay there.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { percentile } from "../bench/support/stats.js";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    key: { type: "string" },
    duration: { type: "string", default: "10" },
    concurrency: { type: "string", default: "10" },
    "max-requests": { type: "string", default: "100000" },
    "post-ratio": { type: "string", default: "0.1" },
    "allow-remote": { type: "boolean", default: false },
  },
});

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

function bounded(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`--${name} must be between ${min} and ${max}`);
  return n;
}

async function main(): Promise<number> {
  const target = new URL(values.url);
  if (!values["allow-remote"] && !LOOPBACK.test(target.hostname)) {
    process.stderr.write(`${target.hostname} is not a loopback address; pass --allow-remote for a server of your own\n`);
    return 2;
  }
  if (!values.key) {
    process.stderr.write("--key is required (an API key with write permission when --post-ratio > 0)\n");
    return 2;
  }
  const seconds = bounded("duration", values.duration, 1, 300);
  const workers = bounded("concurrency", values.concurrency, 1, 200);
  const maxRequests = bounded("max-requests", values["max-requests"], 1, 1_000_000);
  const postRatio = bounded("post-ratio", values["post-ratio"], 0, 1);
  const run = randomBytes(3).toString("hex");
  const headers = { authorization: `Bearer ${values.key}`, "content-type": "application/json" };
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  let sent = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < until && sent < maxRequests) {
        const n = sent++;
        const post = Math.random() < postRatio;
        const t = performance.now();
        let status: string;
        try {
          const res = await fetch(
            new URL(post ? "/api/v1/domains" : "/api/v1/domains?per_page=20&sort=ssl_days_remaining", target),
            post ? { method: "POST", headers, body: JSON.stringify({ hostname: `load-${run}-${n}.example.com` }) } : { headers },
          );
          await res.arrayBuffer();
          status = `${post ? "POST" : "GET"} ${res.status}`;
        } catch (err) {
          status = `${post ? "POST" : "GET"} ${err instanceof Error ? err.message : "error"}`;
        }
        latencies.push(performance.now() - t);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const p = (q: number) => percentile(latencies, q).toFixed(1);
  process.stdout.write(
    `${latencies.length} requests in ${elapsed.toFixed(1)} s: ${(latencies.length / elapsed).toFixed(0)} req/s, ${workers} workers\n` +
      `latency ms: p50 ${p(50)}  p90 ${p(90)}  p99 ${p(99)}  max ${p(100)}\n` +
      [...statuses].map(([s, c]) => `  ${s}: ${c}`).join("\n") +
      "\n",
  );
  return 0;
}

process.exitCode = await main();
