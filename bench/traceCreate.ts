// `node --import tsx bench/traceCreate.ts [--creates 60] [--pool 6]`: where one POST /domains
// spends its time. Starts the real server in this process on a throwaway database (checks on
// create off, fake checkers) with an in-memory OpenTelemetry exporter, adds a span per SQL
// statement (pg's Client.query) and one around the wait for read models, then sends creates
// one at a time (and as many GETs) and prints the span tree of the median create and the
// median time of each kind of span per request. Diagnostic only: nothing here is measured
// against a target (that is bench/run.ts).
import { parseArgs } from "node:util";
import { context, propagation, trace, type Span } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import pg from "pg";
import { startServer } from "../src/app/server.js";
import { createLogger } from "../src/infrastructure/logging/logger.js";
import { systemClock } from "../src/shared/clock.js";
import { tracer } from "../src/infrastructure/telemetry/tracing.js";
import { FakeCheckers } from "../test/support/checkFixtures.js";
import { benchConfig } from "./support/app.js";
import { createBenchDatabase } from "./support/database.js";
import { median } from "./support/stats.js";

const { values: args } = parseArgs({ options: { creates: { type: "string", default: "60" }, pool: { type: "string", default: "6" } } });
const creates = Number(args.creates);

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register({ propagator: new W3CTraceContextPropagator() });

// One span per statement, named by its first words, under whatever span is active.
type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const originalQuery = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === "string" ? first : ((first as { text?: string } | undefined)?.text ?? "?");
  const span: Span = tracer.startSpan(`sql ${text.replace(/\s+/g, " ").trim().slice(0, 70)}`, { startTime: performance.timeOrigin + performance.now() });
  const end = () => span.end(performance.timeOrigin + performance.now());
  // Called with a callback (pg.Pool, knex), with a Query object (an event emitter) or for a promise.
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === "function") {
    args[last] = (...r: unknown[]) => {
      end();
      return (callback as (...r: unknown[]) => unknown)(...r);
    };
    return originalQuery.apply(this, args);
  }
  const submittable = first as { callback?: unknown; on?: (e: string, f: () => void) => void } | undefined;
  if (submittable && typeof submittable.callback === "function") {
    const cb = submittable.callback as (...r: unknown[]) => unknown;
    submittable.callback = (...r: unknown[]) => {
      end();
      return cb(...r);
    };
    return originalQuery.apply(this, args);
  }
  const result = originalQuery.apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === "function") (result as Promise<unknown>).then(end, end);
  else if (submittable && typeof submittable.on === "function") {
    submittable.on("end", end);
    submittable.on("error", end);
  } else end();
  return result;
};

const db = await createBenchDatabase("trace");
const server = await startServer(benchConfig(db.url, Number(args.pool), { PORT: "0", HOST: "127.0.0.1" }), {
  checkers: new FakeCheckers(systemClock),
  logger: createLogger("silent"),
});
try {
  const runner = server.services.projections;
  const waitFor = runner.waitFor.bind(runner);
  runner.waitFor = (...a: Parameters<typeof waitFor>) => tracer.startActiveSpan("wait for read models", (s) => waitFor(...a).finally(() => s.end()));

  const user = await server.services.accounts.registerUser({ correlationId: "trace" }, "trace@example.com");
  if (user.position) await runner.waitFor(user.position);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${user.key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`);
  };
  for (let i = 0; i < 10; i++) await call("POST", "/domains", { hostname: `warm-${i}.example.com` });
  await new Promise((r) => setTimeout(r, 300));
  exporter.reset();
  for (let i = 0; i < creates; i++) {
    await call("POST", "/domains", { hostname: `trace-${i}.example.com` });
    await call("GET", "/domains?per_page=20&sort=ssl_days_remaining");
  }
  await new Promise((r) => setTimeout(r, 500));
  report(exporter.getFinishedSpans());
} finally {
  await server.close();
  await db.drop();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

function report(spans: ReadableSpan[]) {
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const s of spans) {
    const id = s.spanContext().traceId;
    byTrace.set(id, [...(byTrace.get(id) ?? []), s]);
  }
  const requests = spans.filter((s) => s.name === "POST /api/v1/domains" || s.name === "GET /api/v1/domains");
  for (const name of ["POST /api/v1/domains", "GET /api/v1/domains"]) {
    const roots = requests.filter((s) => s.name === name);
    const totals = roots.map((s) => ms(s.duration));
    console.log(`\n## ${name}: ${roots.length} requests, p50 ${median(totals).toFixed(2)} ms, max ${Math.max(...totals).toFixed(2)} ms`);
    // Median duration per span name within the request (summed when a name repeats), and how
    // many statements each request ran inside its own trace.
    const perName = new Map<string, number[]>();
    for (const root of roots) {
      const sums = new Map<string, number>();
      const end = ms(root.endTime);
      for (const s of byTrace.get(root.spanContext().traceId) ?? []) {
        if (s === root || ms(s.startTime) > end) continue;
        const key = s.name.startsWith("sql ") ? s.name : s.name.replace(/ [0-9a-f-]{36}.*/, "");
        sums.set(key, (sums.get(key) ?? 0) + ms(s.duration));
      }
      for (const [k, v] of sums) perName.set(k, [...(perName.get(k) ?? []), v]);
    }
    for (const [k, v] of [...perName].sort((a, b) => median(b[1]) - median(a[1])).slice(0, 25)) {
      console.log(`  ${median(v).toFixed(2).padStart(7)} ms  (in ${v.length}/${roots.length})  ${k}`);
    }
    const mid = roots.slice().sort((a, b) => ms(a.duration) - ms(b.duration))[roots.length >> 1];
    if (mid) printTree(mid, byTrace.get(mid.spanContext().traceId) ?? []);
    if (mid) printOthers(mid);
    // Every statement the database ran while a request was open, its own or not (projectors).
    const during = roots.map((r) => spans.filter((s) => s.name.startsWith("sql ") && ms(s.startTime) >= ms(r.startTime) && ms(s.startTime) <= ms(r.endTime)).length);
    console.log(`  statements run while a request was open (any connection): median ${median(during)}`);
  }

  function printOthers(root: ReadableSpan) {
    const t0 = ms(root.startTime);
    const own = root.spanContext().traceId;
    const others = spans
      .filter((s) => s.spanContext().traceId !== own && ms(s.startTime) >= t0 && ms(s.startTime) <= ms(root.endTime))
      .sort((a, b) => ms(a.startTime) - ms(b.startTime));
    console.log(`\n### outside its trace, during it (projector transactions, reads of the log): ${others.length} spans`);
    for (const s of others) console.log(`  ${(ms(s.startTime) - t0).toFixed(2).padStart(7)}  ${ms(s.duration).toFixed(2).padStart(7)}  ${s.name}`);
  }

  function printTree(root: ReadableSpan, all: ReadableSpan[]) {
    const t0 = ms(root.startTime);
    console.log(`\n### median ${root.name} (${ms(root.duration).toFixed(2)} ms): offset  duration  span`);
    const children = (id: string) => all.filter((s) => s.parentSpanContext?.spanId === id).sort((a, b) => ms(a.startTime) - ms(b.startTime));
    const walk = (s: ReadableSpan, depth: number) => {
      console.log(`  ${(ms(s.startTime) - t0).toFixed(2).padStart(7)}  ${ms(s.duration).toFixed(2).padStart(7)}  ${"  ".repeat(depth)}${s.name}`);
      for (const c of children(s.spanContext().spanId)) walk(c, depth + 1);
    };
    walk(root, 0);
  }
}
