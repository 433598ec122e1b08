// `ssltrackr serve` as its own process (its own PID, pools and clock) on a test database.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Starts `serve` on `databaseUrl`; resolves with the child and its base URL once it listens. */
export async function serve(databaseUrl: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      SSLTRACKR_DB_POOL_MAX: "4",
      SSLTRACKR_SCHEDULER: "false",
      SSLTRACKR_CHECK_ON_CREATE: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as { message?: string; url?: string };
      if (entry.message === "listening" && entry.url) resolve(entry.url.replace(/\/api\/v1$/, ""));
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${String(code)} before listening`)));
  });
  return { child, url: await listening };
}
