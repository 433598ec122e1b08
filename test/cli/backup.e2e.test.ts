// `ssltrackr backup` / `ssltrackr restore` as an operator runs them: a live install's event
// log exported through the driver, restored into an empty database, projected there, and
// every read model compared with the original. Runs on whichever server the tests use: the
// local one (DATABASE_URL set) or the embedded PostgreSQL 17 (unset; .ci/run does both).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { expect } from "chai";
import { allProjections } from "../../projections/index.js";
import { WEBHOOK_DELIVERIES_TABLE } from "../../projections/webhookDeliveries.js";
import { systemClock } from "../../src/shared/clock.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { createTestDatabase, embeddedTestServer, type TestDatabase } from "../support/database.js";
import { apiClient, startPeerServer, startTestServer, type TestServer } from "../support/testServer.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `ssltrackr <args>` in a child process with `env` over a clean configuration. */
const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> =>
  new Promise((resolve) => {
    const base = { ...process.env, DATABASE_URL: "", EVENTSTORE_URL: "", LOG_LEVEL: "warn" };
    execFile(process.execPath, ["bin/ssltrackr.js", ...args], { cwd: REPO, env: { ...base, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });

/**
 * Columns that are not projected from events: operational state written beside the
 * projections (a key's last use is buffered by the key-usage tracker).
 */
const NOT_FROM_EVENTS: Record<string, readonly string[]> = { api_keys: ["last_used_at"] };

/** Every row of every read model, as sorted JSON lines per table. */
async function readModels(db: TestDatabase): Promise<Record<string, string[]>> {
  const models: Record<string, string[]> = {};
  for (const projection of allProjections) {
    for (const table of projection.tables) {
      const { rows } = await db.pool.query<{ row: Record<string, unknown> }>(`select to_jsonb(t) as row from "${projection.schema}"."${table}" t`);
      models[`${projection.schema}.${table}`] = rows
        .map(({ row }) => {
          for (const column of NOT_FROM_EVENTS[table] ?? []) delete row[column];
          return JSON.stringify(row);
        })
        .sort();
    }
  }
  return models;
}

const eventLines = (file: string, content: Buffer) => (file.endsWith(".gz") ? gunzipSync(content) : content).toString("utf8").split("\n").slice(1);

describe("ssltrackr backup / restore (e2e)", function () {
  this.timeout(120_000);
  const checkers = new FakeCheckers(systemClock);
  let source: TestServer;
  let dir: string;
  let key: string;
  const dbs: TestDatabase[] = [];
  const emptyDatabase = async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssltrackr-backup-"));
    source = await startTestServer({ checkers });
    // Something in every read model: users and keys, domains (changed, deleted), checks that
    // pass and fail, alerts, alert settings, webhooks and their deliveries, analytics.
    const alice = await source.createUser("alice@example.com");
    key = alice.key;
    const api = source.client(alice.key);
    expect((await api.put("/alert-settings", { check_failed_after: 1, ssl_expiry_days: [60, 7] })).status).to.equal(200);
    expect((await api.post("/webhooks", { url: "http://127.0.0.1:9/hook", alert_types: ["check_failed"], description: "ops" })).status).to.equal(201);
    const ids: string[] = [];
    for (const hostname of ["ok.example.com", "failing.example.com", "gone.example.com", "bücher.example"]) {
      const res = await api.post("/domains", { hostname, tags: ["prod"], notes: `notes of ${hostname}` });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      ids.push(res.body.id as string);
    }
    checkers.failing.add("failing.example.com");
    for (const id of ids.slice(0, 2)) expect((await api.post("/check", { domain_id: id })).status).to.equal(200);
    expect((await api.put(`/domains/${ids[0]}`, { notes: null, tags: ["prod", "eu"] })).status).to.equal(200);
    expect((await api.delete(`/domains/${ids[2]}`)).status).to.equal(200);
    const minted = await api.post("/api-keys", { label: "ci", permissions: ["read"] });
    expect((await api.delete(`/api-keys/${minted.body.id}`)).status).to.equal(200);
    const bob = await source.createUser("bob@example.com");
    expect((await source.client(bob.key).post("/domains", { hostname: "bob.example.org" })).status).to.equal(201);
    expect((await api.get("/alerts")).body.data).to.have.length.above(0);
    // Every projection at the head before the server stops (a create waits for none of them:
    // domains is projected inline), so that the read models compared below are complete.
    const head = await source.server.infra.eventStore.headPosition();
    await source.server.services.projections.waitFor(head!, 10_000, "all");
    await source.server.close();
  });
  after(async () => {
    await source?.db.drop();
    for (const db of dbs) await db.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("restores into an empty database the same event log and, once projected, the same read models", async () => {
    const file = path.join(dir, "backup.ndjson.gz");
    const backup = await cli({ DATABASE_URL: source.db.url }, "backup", "--out", file);
    expect(backup.code, backup.stderr).to.equal(0);
    expect(backup.stdout.trim()).to.equal(file);

    const target = await emptyDatabase();
    const restore = await cli({ DATABASE_URL: target.url }, "restore", file);
    expect(restore.code, restore.stderr).to.equal(0);
    const queued = (db: TestDatabase) =>
      db.pool.query<{ id: string; payload: string; status: string }>(`select id, payload, status from ${WEBHOOK_DELIVERIES_TABLE} order by id`);
    const original = (await queued(source.db)).rows;
    expect(original).to.have.length.above(0);
    expect(restore.stdout).to.include(`read models rebuilt; ${original.length} webhook and notification deliveries of past alerts cancelled (not re-sent)`);

    const models = await readModels(source.db);
    // Rows in all but the models this history cannot fill (renewals, past days' status, and
    // notification channels and digest settings: none was created; their domain copies are restored all the same).
    expect(Object.entries(models).filter(([, rows]) => rows.length === 0).map(([table]) => table)).to.deep.equal([
      "analytics.certificate_renewals",
      "analytics.daily_domain_status",
      "public.notification_channels",
      "public.digest_settings",
    ]);
    expect(await readModels(target)).to.deep.equal(models);
    // The log itself: a backup of the restored database holds the same events in the same order.
    const again = path.join(dir, "again.ndjson");
    expect((await cli({ DATABASE_URL: target.url }, "backup", "--out", again)).code).to.equal(0);
    const events = eventLines(file, await readFile(file));
    expect(events.length).to.be.above(20);
    expect(eventLines(again, await readFile(again))).to.deep.equal(events);

    // Deliveries of past alerts are queued again, the same ones, but cancelled: not re-sent.
    const restored = (await queued(target)).rows;
    expect(restored.map(({ id, payload }) => ({ id, payload }))).to.deep.equal(original.map(({ id, payload }) => ({ id, payload })));
    expect(new Set(restored.map((r) => r.status))).to.deep.equal(new Set(["cancelled"]));

    // The restored install serves the same answers to the same key, and takes writes where the
    // original left off (stream heads restored).
    const peer = await startPeerServer(target.url, { checkers });
    try {
      const restoredApi = apiClient(peer.url, key);
      const domains = await restoredApi.get("/domains");
      expect(domains.status).to.equal(200);
      expect(domains.body.data.map((d: { hostname: string }) => d.hostname).sort()).to.deep.equal(["failing.example.com", "ok.example.com", "xn--bcher-kva.example"]);
      const changed = await restoredApi.put(`/domains/${domains.body.data[0].id}`, { notes: "after restore" });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      expect((await restoredApi.post("/domains", { hostname: "ok.example.com" })).status).to.equal(409);
    } finally {
      await peer.close();
    }
  });

  it("writes plain NDJSON with a versioned header, to a file or to stdout", async () => {
    const res = await cli({ DATABASE_URL: source.db.url }, "backup", "--out", "-");
    expect(res.code, res.stderr).to.equal(0);
    const [headerLine, ...events] = res.stdout.trimEnd().split("\n");
    const header = JSON.parse(headerLine!) as Record<string, unknown>;
    expect(header).to.include({ format: "ssltrackr-event-log", version: 1, events: events.length });
    expect(header["exported_at"]).to.match(/^\d{4}-\d\d-\d\dT.*Z$/);
    for (const line of events) {
      const event = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(event)).to.deep.equal(["stream", "revision", "id", "type", "data", "metadata", "recorded_at"]);
      expect(event["recorded_at"]).to.match(/\+00:00$/);
    }
  });

  it("refuses a missing file, and a target that is not empty (exit 1)", async () => {
    const missing = await cli({ DATABASE_URL: (await emptyDatabase()).url }, "restore", path.join(dir, "nope.ndjson"));
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/cannot restore .*nope\.ndjson: ENOENT/);
    const file = path.join(dir, "plain.ndjson");
    expect((await cli({ DATABASE_URL: source.db.url }, "backup", "--out", file)).code).to.equal(0);
    const notEmpty = await cli({ DATABASE_URL: source.db.url }, "restore", file);
    expect(notEmpty.code).to.equal(1);
    expect(notEmpty.stderr).to.match(/already holds \d+ events: restore into an empty database/);
  });

  it("refuses to restore under a running server", async () => {
    const target = await emptyDatabase();
    const server = await startPeerServer(target.url);
    try {
      // The server leads every projection once it holds their advisory locks.
      const held = () =>
        target.pool.query<{ n: number }>(
          "select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())",
        );
      for (let i = 0; i < 100 && (await held()).rows[0]!.n < allProjections.length; i++) await new Promise((r) => setTimeout(r, 50));
      const file = path.join(dir, "plain.ndjson");
      const res = await cli({ DATABASE_URL: target.url }, "restore", file);
      expect(res.code).to.equal(1);
      expect(res.stderr).to.match(/a server is running on this database/);
    } finally {
      await server.close();
    }
  });

  it("with EVENTSTORE_URL set, says how EventStoreDB is backed up instead (exit 2)", async () => {
    for (const command of ["backup", "restore"]) {
      const res = await cli({ DATABASE_URL: source.db.url, EVENTSTORE_URL: "esdb://127.0.0.1:1?tls=false" }, command, ...(command === "restore" ? ["x"] : []));
      expect(res.code, command).to.equal(2);
      expect(res.stderr, command).to.match(/EventStoreDB, which is backed up by copying its files/);
    }
  });

  it("with DATABASE_URL unset, acts on the default install's embedded server (sharing a running one)", async function () {
    const embedded = await embeddedTestServer();
    if (!embedded) {
      // .ci/run runs this file again with DATABASE_URL unset.
      this.skip();
    }
    const env = { EMBEDDED_PG_DIR: embedded.dataDir, EMBEDDED_PG_PORT: String(embedded.port) };
    const email = `default-${Date.now()}@example.com`;
    expect((await cli(env, "users", "create", "--email", email)).code).to.equal(0);
    const file = path.join(dir, "default.ndjson.gz");
    const backup = await cli(env, "backup", "--out", file);
    expect(backup.code, backup.stderr).to.equal(0);
    expect(gunzipSync(await readFile(file)).toString()).to.include(email);
    // The default install is not empty: restoring over it is refused, so it is the one acted on.
    const refused = await cli(env, "restore", file);
    expect(refused.stderr).to.match(/already holds \d+ events/);
    const target = await emptyDatabase();
    expect((await cli({ DATABASE_URL: target.url }, "restore", file)).code).to.equal(0);
    const users = await target.pool.query("select 1 from users where email = $1", [email]);
    expect(users.rowCount).to.equal(1);
  });
});
