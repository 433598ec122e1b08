// scripts/backup-eventstore.ts end to end: a backup of a throwaway event store restores into
// a fresh database with the same events, and the restored store takes appends where the
// original left off (stream heads and the position sequence come back too).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { PostgresEventStore } from "../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

const run = promisify(execFile);
const script = path.resolve("scripts/backup-eventstore.ts");

const backupScript = (databaseUrl: string, ...args: string[]) =>
  run(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl } });

async function majorVersion(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ v: string }>("show server_version_num");
  return Math.floor(Number(rows[0]!.v) / 10000);
}

describe("scripts/backup-eventstore.ts (PostgreSQL)", () => {
  let source: TestDatabase;
  let target: TestDatabase;
  let dir: string;

  before(async function () {
    source = await createTestDatabase();
    target = await createTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), "ssltrackr-backup-"));
    // pg_dump refuses servers of a newer major version than its own (e.g. the embedded 17).
    const dumpMajor = Number(/(\d+)/.exec((await run("pg_dump", ["--version"]).catch(() => ({ stdout: "0" }))).stdout)![1]);
    if (dumpMajor < (await majorVersion(source))) this.skip();
  });
  after(async () => {
    await source?.drop();
    await target?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("backs up the eventstore schema to a timestamped file that restores into a fresh database", async () => {
    const store = await PostgresEventStore.connect(source.pool, source.url);
    for (let s = 0; s < 5; s++) {
      await store.appendToStream(`stream-${s}`, Array.from({ length: 10 }, (_, i) => ({ id: randomUUID(), type: "Numbered", data: { s, i } })));
    }
    await store.close();

    const { stdout } = await backupScript(source.url, "backup", "--out", dir);
    const file = stdout.trim();
    expect(path.basename(file)).to.match(/^ssltrackr-eventstore-\d{4}-\d{2}-\d{2}T[\d-]+Z\.dump$/);
    await backupScript(target.url, "restore", file);

    const count = async (db: TestDatabase) => (await db.pool.query<{ n: string }>("select count(*) as n from eventstore.events")).rows[0]!.n;
    expect(await count(target)).to.equal("50").and.equal(await count(source));
    const restored = await PostgresEventStore.connect(target.pool, target.url);
    try {
      const appended = await restored.appendToStream("stream-0", [{ id: randomUUID(), type: "Numbered", data: { i: 10 } }], { expectedRevision: 9n });
      expect(appended.nextExpectedRevision).to.equal(10n);
      expect(appended.position.prepare > 50n).to.equal(true);
    } finally {
      await restored.close();
    }
  });
});
