// Workload 11 (issue 17): how long `ssltrackr --help` takes to start and exit, the compiled
// build (bin/ssltrackr.js, running dist/) against the same CLI run from TypeScript through
// the tsx loader, as `npm start` did before the build existed. Wall-clock milliseconds per
// process, median of many starts, the two alternating so drift hits both alike.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Measurement } from "../support/report.js";
import { median } from "../support/stats.js";
import { rotate, type BenchOptions, type Workload } from "../support/workload.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const COMPILED = ["bin/ssltrackr.js", "--help"];
const LOADER = ["--import", "tsx", "src/cli/main.ts", "--help"];

function startMs(args: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: REPO }, (err) => (err ? reject(err) : resolve(performance.now() - started)));
  });
}

export const cliStart: Workload = {
  ids: [11],
  name: "CLI start (`ssltrackr --help`): compiled build vs TypeScript loader",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const runs = quick ? 3 : 5;
    const startsPerRun = quick ? 5 : 15;
    const compiled: number[] = [];
    const loader: number[] = [];
    await startMs(COMPILED); // warm the file cache for both
    await startMs(LOADER);
    for (let run = 0; run < runs; run++) {
      const times = { compiled: [] as number[], loader: [] as number[] };
      for (const which of rotate(["compiled", "loader"] as const, run)) {
        for (let i = 0; i < startsPerRun; i++) times[which].push(await startMs(which === "compiled" ? COMPILED : LOADER));
      }
      compiled.push(median(times.compiled));
      loader.push(median(times.loader));
      log(`run ${run + 1}: compiled ${compiled.at(-1)!.toFixed(0)} ms, loader ${loader.at(-1)!.toFixed(0)} ms`);
    }
    return [
      { id: "11", workload: "CLI `--help`, compiled build", unit: "ms", values: compiled, reference: { name: "tsx loader", values: loader }, target: { kind: "valueBelow", value: 300 } },
    ];
  },
};
