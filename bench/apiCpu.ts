// `node --import tsx bench/apiCpu.ts [--mode post|get] [--phases 4,4,20] [--seconds 8] [--profile dir]`:
// the server process's CPU per request, user and system apart (/proc/<pid>/stat), for phases
// of POST /domains or GET /domains at the given connection counts, on workload 4/5's quick
// fixture (10k domains, the server in a child process). Diagnostic only, for comparing two
// trees back to back (run it on each, alternating): nothing here is measured against a target
// (that is bench/run.ts). The first phase runs on a cold server (tsx, unoptimised code).
import { parseArgs } from "node:util";
import { openApiFixture } from "./support/apiFixture.js";
import { httpLoad } from "./support/httpLoad.js";
import { LIST_PATH } from "./workloads/4-listDomains.js";
import { creates } from "./workloads/5-createDomains.js";

const { values: args } = parseArgs({
  options: {
    mode: { type: "string", default: "post" },
    phases: { type: "string", default: "4,4,20" },
    seconds: { type: "string", default: "8" },
    profile: { type: "string" },
  },
});
const seconds = Number(args.seconds);

const fixture = await openApiFixture({ quick: true, profileDir: args.profile, log: (m) => console.log(m) });
let phase = 0;
try {
  for (const connections of args.phases.split(",").map(Number)) {
    const before = fixture.server.cpuTimes();
    const r =
      args.mode === "get"
        ? await httpLoad({ url: fixture.server.url + LIST_PATH, connections, duration: seconds, headers: { authorization: `Bearer ${fixture.key}` } })
        : await creates(fixture, seconds, `cpu-${phase++}`, connections);
    const after = fixture.server.cpuTimes();
    const requests = r.okPerSecond * seconds;
    const perRequest = (ms: number) => (ms / requests).toFixed(3);
    console.log(
      `${args.mode} at ${connections} connections: ${r.okPerSecond.toFixed(0)}/s, p99 ${r.p99Ms} ms, ${r.failures} failed; ` +
        `server CPU per request ${perRequest(after.userMs - before.userMs)} ms user + ${perRequest(after.systemMs - before.systemMs)} ms system`,
    );
  }
} finally {
  await fixture.close();
}
