// `npm run bench [-- --quick] [--only 1,4,10b] [--profile] [--out file]`: runs the workloads of
// docs/benchmarks.md against the PostgreSQL named by DATABASE_URL (default: the local one) and
// prints the results table; a full run also writes it into bench/results.md, between the
// markers, leaving the hand-written findings around it as they are. Targets that are missed
// are reported, not failed: the exit code is non-zero only when a workload could not run.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { markdownTable, summarise, type Row } from "./support/report.js";
import { serverUrl } from "./support/database.js";
import type { Workload } from "./support/workload.js";
import { appendSingle } from "./workloads/1-appendSingle.js";
import { appendBatch } from "./workloads/2-appendBatch.js";
import { rebuild } from "./workloads/3-rebuild.js";
import { longStream } from "./workloads/6-longStream.js";
import { sslChecks } from "./workloads/7-sslChecks.js";
import { workers } from "./workloads/10-workers.js";
import { sweep } from "./workloads/10b-sweep.js";
import { cliStart } from "./workloads/11-cliStart.js";
import { projectionLag } from "./workloads/9-projectionLag.js";
import { bulkImport } from "./workloads/12-bulkImport.js";
import { apiWorkloads } from "./workloads/api.js";

const workloads: readonly Workload[] = [appendSingle, appendBatch, rebuild, apiWorkloads, longStream, sslChecks, workers, sweep, projectionLag, cliStart, bulkImport];

const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const quick = args.quick ?? false;
// Workload ids as written: numbers, or a number and a letter for a workload that has its own (10b).
const only = args.only ? new Set(args.only.split(",").map((id) => id.trim())) : undefined;
const here = path.dirname(new URL(import.meta.url).pathname);
const out = args.out ?? (quick || only ? path.join(here, "results", "quick.md") : path.join(here, "results.md"));
const profileDir = args.profile ? path.join(here, "results", "raw", new Date().toISOString().replace(/[:.]/g, "-")) : undefined;
const log = (message: string) => process.stderr.write(`${message}\n`);

async function environment(): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>("show server_version");
  await client.end();
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return [
    `Run ${new Date().toISOString()} (${quick ? "--quick" : "full"}${only ? `, only ${[...only].join(",")}` : ""}),`,
    `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${rows[0]?.server_version ?? "?"}.`,
  ].join(" ");
}

function write(file: string, block: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  let existing = "";
  try {
    existing = readFileSync(file, "utf8");
  } catch {
    // a new file: the block alone
  }
  const from = existing.indexOf(START);
  const to = existing.indexOf(END);
  const wrapped = `${START}\n${block}\n${END}`;
  writeFileSync(file, from >= 0 && to > from ? existing.slice(0, from) + wrapped + existing.slice(to + END.length) : `${wrapped}\n`);
}

async function main(): Promise<number> {
  process.env["DATABASE_URL"] = serverUrl();
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const started = Date.now();
  const env = await environment();
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const w of workloads) {
    if (only && !w.ids.some((id) => only.has(String(id)))) continue;
    log(`# ${w.ids.join(", ")}. ${w.name}`);
    const t = Date.now();
    try {
      for (const m of await w.run({ quick, profileDir, log: (msg) => log(`  ${msg}`) })) rows.push(summarise(m));
    } catch (err) {
      failures.push(`${w.ids.join(", ")}. ${w.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      log(`  failed: ${String(err)}`);
    }
    log(`  (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  }
  const block = [
    env,
    `Total ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    "",
    markdownTable(rows),
    ...(failures.length ? ["", "Workloads that failed to run:", ...failures.map((f) => `- ${f.split("\n")[0]}`)] : []),
  ].join("\n");
  process.stdout.write(`${block}\n`);
  write(out, block);
  log(`written to ${path.relative(process.cwd(), out)}${profileDir ? `; profiles in ${path.relative(process.cwd(), profileDir)}` : ""}`);
  for (const f of failures) log(f);
  return failures.length ? 1 : 0;
}

process.exitCode = await main();
