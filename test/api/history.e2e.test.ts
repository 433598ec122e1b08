import { expect } from "chai";
import pg from "pg";
import { startTestServer, type TestServer } from "../support/testServer.js";

describe("domain history for auditors (e2e)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("lists a domain's events in order with who acted and the request's correlation id", async () => {
    const { userId, key } = await t.createUser();
    const api = t.client(key);
    const keys = await api.get("/api-keys");
    const keyId = keys.body.data[0].id as string;
    const created = await api.request("POST", "/domains", { hostname: "history.example.com", notes: "v1" }, { "x-request-id": "req-create-1" });
    const id = created.body.id as string;
    await api.request("PUT", `/domains/${id}`, { notes: "v2" }, { "x-request-id": "req-update-1" });

    const history = await api.get(`/domains/${id}/history`);
    expect(history.status).to.equal(200);
    expect(history.body.data.map((e: { type: string }) => e.type)).to.deep.equal(["DomainAdded", "DomainUpdated"]);
    const [added, updated] = history.body.data;
    expect(added).to.include({ revision: 0, user_id: userId, api_key_id: keyId, correlation_id: "req-create-1" });
    expect(added.data).to.include({ hostname: "history.example.com", notes: "v1", domainId: id });
    expect(updated).to.include({ revision: 1, correlation_id: "req-update-1" });
    expect(updated.data.changes).to.deep.equal({ notes: "v2" });
    expect(history.body.pagination).to.deep.equal({ page: 1, per_page: 20, total: 2, total_pages: 1 });

    const page2 = await api.get(`/domains/${id}/history?per_page=1&page=2`);
    expect(page2.body.data.map((e: { type: string }) => e.type)).to.deep.equal(["DomainUpdated"]);
  });

  it("rebuilds the state as of a past moment by replaying events", async () => {
    const { key } = await t.createUser();
    const api = t.client(key);
    const id = (await api.post("/domains", { hostname: "asof.example.com", notes: "before" })).body.id as string;
    await new Promise((r) => setTimeout(r, 50));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    await api.put(`/domains/${id}`, { notes: "after", is_active: false });

    const then = await api.get(`/domains/${id}/history?as_of=${encodeURIComponent(between)}`);
    expect(then.status).to.equal(200);
    expect(then.body.revision).to.equal(0);
    expect(then.body.state.domain).to.include({ status: "monitored", notes: "before", is_active: true });
    const now = await api.get(`/domains/${id}/history?as_of=${encodeURIComponent(new Date().toISOString())}`);
    expect(now.body.state.domain).to.include({ notes: "after", is_active: false });
    const before = await api.get(`/domains/${id}/history?as_of=2000-01-01T00:00:00Z`);
    expect(before.status).to.equal(404);
  });

  it("keeps a deleted domain's history for its owner and hides it from others", async () => {
    const owner = t.client((await t.createUser()).key);
    const other = t.client((await t.createUser()).key);
    const id = (await owner.post("/domains", { hostname: "gone.example.com" })).body.id as string;
    expect((await owner.delete(`/domains/${id}`)).status).to.equal(200);
    const history = await owner.get(`/domains/${id}/history`);
    expect(history.body.data.map((e: { type: string }) => e.type)).to.deep.equal(["DomainAdded", "DomainRemoved"]);
    const stranger = await other.get(`/domains/${id}/history`);
    expect(stranger.status).to.equal(404);
    expect(stranger.body).to.deep.equal({ error: "Domain not found" });
  });

  it("rejects a bad as_of or id with 400", async () => {
    const api = t.client((await t.createUser()).key);
    expect((await api.get(`/domains/00000000-0000-4000-8000-000000000000/history?as_of=yesterday`)).status).to.equal(400);
    expect((await api.get(`/domains/nope/history`)).status).to.equal(400);
  });
});

describe("health and readiness probes (e2e)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("answers /health and /ready without authentication", async () => {
    const health = await fetch(`${t.url}/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ status: "ok" });
    const ready = await fetch(`${t.url}/ready`);
    const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(ready.status).to.equal(200);
    expect(body.status).to.equal("ready");
    expect(Object.values(body.checks).every((c) => c.ok)).to.equal(true);
  });

  it("reports not ready when the database is unreachable", async () => {
    const t2 = await startTestServer();
    const name = new URL(t2.db.url).pathname.slice(1);
    const adminUrl = new URL(t2.db.url);
    adminUrl.pathname = "/postgres";
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    try {
      // Cut the server off its database: forbid new connections and end the open ones.
      await admin.query(`alter database ${name} allow_connections false`);
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [name]);
      const ready = await fetch(`${t2.url}/ready`);
      expect(ready.status).to.equal(503);
      const body = (await ready.json()) as { status: string; checks: { database: { ok: boolean } } };
      expect(body.status).to.equal("not_ready");
      expect(body.checks.database.ok).to.equal(false);
    } finally {
      await admin.query(`alter database ${name} allow_connections true`);
      await admin.end();
      await t2.close().catch(() => undefined);
    }
  });
});
