// `ssltrackr worker` as a real child process (its own PID, pools and clock), for tests of
// several processes on one database: started, waited for, stopped or killed with SIGKILL.
import { spawn, type ChildProcess } from "node:child_process";

export interface WorkerProcess {
  readonly pid: number;
  /** Everything it printed (JSON log lines), for failure messages. */
  readonly output: () => string;
  /** SIGKILL: no clean-up of any kind, as a crash or an OOM kill. */
  kill9(): Promise<void>;
  /** SIGTERM, then waits for a clean exit. */
  stop(): Promise<number | null>;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

/** Starts a worker on `databaseUrl` and resolves once its check workers run; `nodeArgs` go to node (e.g. --cpu-prof). */
export async function startWorkerProcess(databaseUrl: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/cli/main.ts", "worker"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "info", SSLTRACKR_ALLOW_PRIVATE_TARGETS: "true", SSLTRACKR_DB_POOL_MAX: "4", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 30 s:\n${output}`)), 30_000);
    const look = () => {
      if (!output.includes("check workers started")) return;
      clearTimeout(timer);
      child.stdout!.off("data", look);
      resolve();
    };
    child.stdout!.on("data", look);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before starting:\n${output}`));
    });
  });
  return {
    pid: child.pid!,
    output: () => output,
    async kill9() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async stop() {
      child.kill("SIGTERM");
      return exited(child);
    },
  };
}
