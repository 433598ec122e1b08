// `node --import tsx bench/apiCpu.ts [--mode post|get] [--phases 4,4,20] [--seconds 8] [--profile dir] [--full]`:
// the server process's CPU per request, user and system apart (/proc/<pid>/stat), the time its
// main thread waited for a core (run queue, /proc/<pid>/schedstat) and PostgreSQL's CPU (every
// `postgres` process of the machine), for phases of POST /domains or GET /domains at the given
// connection counts, on workload 4/5's quick fixture (10k domains; `--full`: 100k, as the run of
// record), the server in a child process. Diagnostic only, for comparing two trees back to back
// (run it on each, alternating): nothing here is measured against a target (that is
// bench/run.ts). The first phase runs on a cold server (tsx, unoptimised code).
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { openApiFixture } from "./support/apiFixture.js";
import { httpLoad } from "./support/httpLoad.js";
import { cpuTimesOf } from "./support/serverProcess.js";
import { LIST_PATH } from "./workloads/4-listDomains.js";
import { creates } from "./workloads/5-createDomains.js";

const { values: args } = parseArgs({
  options: {
    mode: { type: "string", default: "post" },
    phases: { type: "string", default: "4,4,20" },
    seconds: { type: "string", default: "8" },
    profile: { type: "string" },
    full: { type: "boolean", default: false },
  },
});

/** CPU time of every PostgreSQL process on this machine so far (backends, WAL writer, ...), in ms. */
function postgresCpuMs(): number {
  let ms = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("postgres")) continue;
      const { userMs, systemMs } = cpuTimesOf(Number(pid));
      ms += userMs + systemMs;
    } catch {
      // the process ended meanwhile
    }
  }
  return ms;
}

/** How long the process's main thread has waited on a run queue so far, in ms (schedstat's second field, ns). */
const runQueueWaitMs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e6;
const seconds = Number(args.seconds);

const fixture = await openApiFixture({ quick: !args.full, profileDir: args.profile, log: (m) => console.log(m) });
let phase = 0;
try {
  for (const connections of args.phases.split(",").map(Number)) {
    const before = { ...fixture.server.cpuTimes(), waitMs: runQueueWaitMs(fixture.server.pid), postgresMs: postgresCpuMs() };
    const r =
      args.mode === "get"
        ? await httpLoad({ url: fixture.server.url + LIST_PATH, connections, duration: seconds, headers: { authorization: `Bearer ${fixture.key}` } })
        : await creates(fixture, seconds, `cpu-${phase++}`, connections);
    const after = { ...fixture.server.cpuTimes(), waitMs: runQueueWaitMs(fixture.server.pid), postgresMs: postgresCpuMs() };
    const requests = r.okPerSecond * seconds;
    const perRequest = (ms: number) => (ms / requests).toFixed(3);
    console.log(
      `${args.mode} at ${connections} connections: ${r.okPerSecond.toFixed(0)}/s, p99 ${r.p99Ms} ms, ${r.failures} failed; ` +
        `server CPU per request ${perRequest(after.userMs - before.userMs)} ms user + ${perRequest(after.systemMs - before.systemMs)} ms system, ` +
        `its main thread waiting for a core ${perRequest(after.waitMs - before.waitMs)} ms; PostgreSQL CPU per request ${perRequest(after.postgresMs - before.postgresMs)} ms`,
    );
  }
} finally {
  await fixture.close();
}
