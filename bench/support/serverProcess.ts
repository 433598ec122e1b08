// The API server as a child process: its memory is its own (workload 8 reads its peak RSS from
// /proc), and it can be profiled with --cpu-prof while the load comes from this process.
// BENCH_SERVER_FLAGS (space-separated) adds Node/V8 flags to it for diagnostics, for example
// `--trace-gc` (NODE_OPTIONS refuses that one); runs of record leave it unset.
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Resident set size now and at its peak (VmRSS, VmHWM), in MiB. */
  memory(): { rssMiB: number; peakMiB: number };
  /** CPU time it has used so far (user + system), in ms. */
  cpuMs(): number;
  /** The same, user and system apart, in ms. */
  cpuTimes(): CpuTimes;
  stop(): Promise<void>;
}

function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`${field} not in /proc/${pid}/status`);
  return Number(match[1]);
}

export interface CpuTimes {
  readonly userMs: number;
  readonly systemMs: number;
}

/** utime and stime of a process from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 10 ms). */
export function cpuTimesOf(pid: number): CpuTimes {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { userMs: Number(fields[11]) * 10, systemMs: Number(fields[12]) * 10 };
}

export async function startServerProcess(databaseUrl: string, poolMax: number, profileDir?: string): Promise<ServerProcess> {
  const entry = path.join(path.dirname(new URL(import.meta.url).pathname), "serverMain.ts");
  const child = fork(entry, [], {
    execArgv: ["--import", "tsx", ...(process.env["BENCH_SERVER_FLAGS"]?.split(" ").filter(Boolean) ?? []), ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
    env: { ...process.env, DATABASE_URL: databaseUrl, SSLTRACKR_DB_POOL_MAX: String(poolMax) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`server exited with code ${code} before listening`)));
  });
  const pid = child.pid!;
  return {
    url,
    pid,
    memory: () => ({ rssMiB: statusKiB(pid, "VmRSS") / 1024, peakMiB: statusKiB(pid, "VmHWM") / 1024 }),
    cpuMs: () => {
      const { userMs, systemMs } = cpuTimesOf(pid);
      return userMs + systemMs;
    },
    cpuTimes: () => cpuTimesOf(pid),
    async stop() {
      child.send("stop");
      const killed = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killed);
    },
  };
}
