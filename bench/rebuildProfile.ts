// `node [--cpu-prof] --import tsx bench/rebuildProfile.ts [events] [--lanes n] [--batch n] [--projections a,b]`:
// workload 3's rebuild alone (or of the projections named), repeatable, with the CPU time of both sides. The log (workload
// 3's data, `events` events, default 100k) is seeded once into a database kept between runs
// (ssltrackr_bench_rebuildprofile_<events>; drop it by hand). Prints the wall time, the
// client's CPU time and the server's (utime + stime of the backends serving that database, read
// from /proc: the server must run on this machine). On a shared machine wall time follows the
// load; CPU time does not (bench/profiles/3-rebuild.md).
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { allProjections } from "../projections/index.js";
import { ProjectionRunner } from "../src/infrastructure/projections/projectionRunner.js";
import { openBenchInfrastructure } from "./support/app.js";
import { serverUrl } from "./support/database.js";
import { copyHistories, domainHistory } from "./support/domainHistory.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { lanes: { type: "string" }, batch: { type: "string" }, projections: { type: "string" } } });
const events = Number(positionals[0] ?? 100_000);
const name = `ssltrackr_bench_rebuildprofile_${events}`;
const names = (values.projections ?? "domains,check_history,alerts").split(",");
const projections = names.map((n) => {
  const found = allProjections.find((p) => p.name === n);
  if (!found) throw new Error(`no projection ${n}: one of ${allProjections.map((p) => p.name).join(", ")}`);
  return found;
});

/** CPU seconds of the server processes serving `database`. */
function serverCpuSeconds(database: string): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(` ${database} `)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}

const admin = new pg.Client({ connectionString: serverUrl() });
await admin.connect();
const exists = ((await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount ?? 0) > 0;
if (!exists) await admin.query(`create database ${name}`);
await admin.end();
const url = new URL(serverUrl());
url.pathname = `/${name}`;
const infra = await openBenchInfrastructure(url.toString(), 7);
const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
try {
  if (!exists) {
    const started = performance.now();
    const users = Array.from({ length: 100 }, () => crypto.randomUUID());
    const start = new Date(Date.now() - 30 * 86_400_000);
    const seeded = await copyHistories(pool, "eventstore", events / 20, (i) =>
      domainHistory({ userId: users[i % 100]!, hostname: `d${i}.example.com`, events: 20, certDays: 1 + (i % 40), start }),
    );
    await pool.query("vacuum analyze eventstore.events");
    process.stdout.write(`seeded ${seeded} events in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const total = Number((await pool.query<{ n: string }>("select count(*) as n from eventstore.events")).rows[0]?.n);
  const cpu = process.cpuUsage();
  const server = serverCpuSeconds(name);
  const started = performance.now();
  const runner = new ProjectionRunner(infra.knex, infra.eventStore, projections, {
    ...(values.lanes ? { rebuildLanes: Number(values.lanes) } : {}),
    ...(values.batch ? { rebuildBatchSize: Number(values.batch) } : {}),
  });
  await runner.rebuild(projections);
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(cpu);
  process.stdout.write(
    `rebuilt ${total} events in ${seconds.toFixed(2)} s (${(total / seconds).toFixed(0)} events/s); ` +
      `CPU: client ${((client.user + client.system) / 1e6).toFixed(1)} s, server ${(serverCpuSeconds(name) - server).toFixed(1)} s\n`,
  );
} finally {
  await infra.close();
  await pool.end();
}
