// Real PostgreSQL for tests: the server named by DATABASE_URL (CI points it at the local
// one), or else one embedded server started once per test run. Each test file gets its own
// throwaway database, so files never see each other's data.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../src/infrastructure/postgres/embeddedPostgres.js";

/** The embedded server of this test run (DATABASE_URL unset), as `ssltrackr` would find it. */
export interface EmbeddedTestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly port: number;
}

let embedded: Promise<EmbeddedTestServer & EmbeddedPostgresHandle> | undefined;

/**
 * Started once per run. EMBEDDED_PG_PORT and EMBEDDED_PG_DIR are honoured, as by the service
 * (engineers sharing a machine give each run its own); unset, a free-looking random port and
 * a temporary directory.
 */
function startEmbedded(): Promise<EmbeddedTestServer & EmbeddedPostgresHandle> {
  embedded ??= (async () => {
    const fromEnv = process.env["EMBEDDED_PG_DIR"];
    const dir = fromEnv ? path.resolve(fromEnv) : path.join(await mkdtemp(path.join(tmpdir(), "ssltrackr-test-pg-")), "data");
    // Under root the server runs as the "postgres" user, which must be able to enter it.
    if (!fromEnv) await chmod(path.dirname(dir), 0o755);
    const port = Number(process.env["EMBEDDED_PG_PORT"] ?? 20000 + Math.floor(Math.random() * 20000));
    const handle = await startEmbeddedPostgres({ dataDir: dir, port });
    return { ...handle, dataDir: dir, port };
  })();
  return embedded;
}

/** The run's embedded server, or undefined when the tests use the server in DATABASE_URL. */
export async function embeddedTestServer(): Promise<EmbeddedTestServer | undefined> {
  return process.env["DATABASE_URL"] ? undefined : startEmbedded();
}

async function serverUrl(): Promise<string> {
  return process.env["DATABASE_URL"] ?? (await startEmbedded()).url;
}

export async function stopEmbeddedServer(): Promise<void> {
  if (embedded) await (await embedded).stop();
  embedded = undefined;
}

export interface TestDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await serverUrl();
  const name = `ssltrackr_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 20 });
  // Dropping the database terminates idle connections; the pool discards them.
  pool.on("error", () => undefined);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
