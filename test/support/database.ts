// Real PostgreSQL for tests: the server named by DATABASE_URL (CI points it at the local
// one), or else one embedded server started once per test run. Each test file gets its own
// throwaway database, so files never see each other's data.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../src/infrastructure/postgres/embeddedPostgres.js";

let embedded: Promise<EmbeddedPostgresHandle> | undefined;

async function serverUrl(): Promise<string> {
  const fromEnv = process.env["DATABASE_URL"];
  if (fromEnv) return fromEnv;
  embedded ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ssltrackr-test-pg-"));
    // Under root the server runs as the "postgres" user, which must be able to enter it.
    await chmod(dir, 0o755);
    return startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: 20000 + Math.floor(Math.random() * 20000) });
  })();
  return (await embedded).url;
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
