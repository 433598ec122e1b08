// Idempotency-Key on writes: the first outcome is answered again to a retry of the same
// request (without acting again), the same key with another request is a 422, keys are per
// user and live 24 hours, and a retry whose first answer was lost is answered from the
// write model. (Restarts under load: databaseRestart.integration.test.ts.)
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { WITHOUT_CHECKS, expectError } from "../support/apiHelpers.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

describe("Idempotency-Key on writes (e2e)", () => {
  let t: TestServer;
  let user: { userId: string; key: string };
  let api: ApiClient;
  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
    user = await t.createUser();
    api = t.client(user.key);
  });
  after(async () => t?.close());

  const keyed = (method: string, path: string, body: unknown, key: string) => api.request(method, path, body, { "Idempotency-Key": key });
  const hostnames = async () => ((await api.get("/domains?per_page=100")).body.data as { hostname: string }[]).map((d) => d.hostname);
  const eventCount = async (type: string, streamPrefix: string) =>
    Number(
      (
        await t.db.pool.query<{ n: string }>("select count(*) as n from eventstore.events where event_type = $1 and stream_name like $2", [
          type,
          `${streamPrefix}%`,
        ])
      ).rows[0]!.n,
    );
  /** As if the server had died after committing and before recording its answer. */
  const loseAnswer = (key: string) => t.db.pool.query("update idempotency_keys set status = null, body = null where key = $1", [key]);

  it("answers a retried create with the first answer, without creating again", async () => {
    const key = randomUUID();
    const first = await keyed("POST", "/domains", { hostname: "once.example.com" }, key);
    expect(first.status).to.equal(201);
    const retry = await keyed("POST", "/domains", { hostname: "once.example.com" }, key);
    expect(retry.status).to.equal(201);
    expect(retry.body).to.deep.equal(first.body);
    expect(retry.headers.get("idempotent-replayed")).to.equal("true");
    expect((await hostnames()).filter((h) => h === "once.example.com")).to.have.length(1);
  });

  it("POST /domains/bulk: one key adds every row, each its own domain, once", async () => {
    const key = randomUUID();
    const body = { domains: [{ hostname: "bulk-a.example.com" }, { hostname: "bulk-b.example.com" }, { hostname: "bulk-c.example.com" }] };
    const first = await keyed("POST", "/domains/bulk", body, key);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    const ids = (first.body.results as { id: string }[]).map((r) => r.id);
    expect(new Set(ids).size).to.equal(3);
    await loseAnswer(key);
    const retry = await keyed("POST", "/domains/bulk", body, key);
    expect((retry.body.results as { id: string; status: number }[]).map((r) => r.id)).to.deep.equal(ids);
    expect((await hostnames()).filter((h) => h.startsWith("bulk-"))).to.have.length(3);
  });

  it("stores an error outcome too: a retry of a 409 is the same 409", async () => {
    await keyed("POST", "/domains", { hostname: "taken.example.com" }, randomUUID());
    const key = randomUUID();
    const first = await keyed("POST", "/domains", { hostname: "taken.example.com" }, key);
    expectError(first, 409);
    const retry = await keyed("POST", "/domains", { hostname: "taken.example.com" }, key);
    expectError(retry, 409, first.body.error);
    expect(retry.headers.get("idempotent-replayed")).to.equal("true");
  });

  it("refuses the same key with another body, or on another operation, with 422", async () => {
    const key = randomUUID();
    expect((await keyed("POST", "/domains", { hostname: "first-body.example.com" }, key)).status).to.equal(201);
    expectError(await keyed("POST", "/domains", { hostname: "other-body.example.com" }, key), 422);
    expectError(await keyed("POST", "/webhooks", { url: "https://hooks.example.com/x" }, key), 422);
    expect(await hostnames()).not.to.include("other-body.example.com");
  });

  it("keeps keys per user: another user's identical key acts for them", async () => {
    const key = randomUUID();
    expect((await keyed("POST", "/domains", { hostname: "per-user.example.com" }, key)).status).to.equal(201);
    const other = t.client((await t.createUser()).key);
    const res = await other.request("POST", "/domains", { hostname: "per-user.example.com" }, { "Idempotency-Key": key });
    expect(res.status).to.equal(201);
    expect(res.headers.get("idempotent-replayed")).to.equal(null);
  });

  it("forgets a key after 24 hours: it may then be used for another request", async () => {
    const key = randomUUID();
    expect((await keyed("POST", "/domains", { hostname: "day-old.example.com" }, key)).status).to.equal(201);
    await t.db.pool.query("update idempotency_keys set created_at = now() - interval '25 hours' where key = $1", [key]);
    expect((await keyed("POST", "/domains", { hostname: "next-day.example.com" }, key)).status).to.equal(201);
  });

  for (const [name, key] of [
    ["empty", ""],
    ["too long", "k".repeat(256)],
    ["with a space", "a b"],
    ["not ASCII", "clé"],
  ] as const) {
    it(`refuses an Idempotency-Key that is ${name} with 400`, async () => {
      const res = await api.request("POST", "/domains", { hostname: "bad-key.example.com" }, { "Idempotency-Key": key });
      expectError(res, 400);
      expect(res.body.error).to.match(/Idempotency-Key/);
    });
  }

  describe("a retry whose first answer was lost is answered from the write model", () => {
    it("POST /domains: the same domain, not a second one or a 409", async () => {
      const key = randomUUID();
      const first = await keyed("POST", "/domains", { hostname: "lost-create.example.com" }, key);
      await loseAnswer(key);
      const retry = await keyed("POST", "/domains", { hostname: "lost-create.example.com" }, key);
      expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
      expect(retry.body.id).to.equal(first.body.id);
      expect(retry.headers.get("idempotent-replayed")).to.equal(null);
      expect(await eventCount("DomainAdded", `domain-${first.body.id as string}`)).to.equal(1);
    });

    it("DELETE /domains/{id}: 200 again, not 404, and one DomainRemoved", async () => {
      const { body: domain } = await keyed("POST", "/domains", { hostname: "lost-delete.example.com" }, randomUUID());
      const key = randomUUID();
      expect((await keyed("DELETE", `/domains/${domain.id as string}`, undefined, key)).status).to.equal(200);
      await loseAnswer(key);
      const retry = await keyed("DELETE", `/domains/${domain.id as string}`, undefined, key);
      expect(retry.status, JSON.stringify(retry.body)).to.equal(200);
      expect(await eventCount("DomainRemoved", `domain-${domain.id as string}`)).to.equal(1);
      // Without the key, deleting again is the usual 404.
      expectError(await api.delete(`/domains/${domain.id as string}`), 404);
    });

    it("PUT /domains/{id}: the domain as changed, one DomainUpdated", async () => {
      const { body: domain } = await keyed("POST", "/domains", { hostname: "lost-update.example.com" }, randomUUID());
      const key = randomUUID();
      expect((await keyed("PUT", `/domains/${domain.id as string}`, { notes: "changed" }, key)).status).to.equal(200);
      await loseAnswer(key);
      const retry = await keyed("PUT", `/domains/${domain.id as string}`, { notes: "changed" }, key);
      expect(retry.status).to.equal(200);
      expect(retry.body.notes).to.equal("changed");
      expect(await eventCount("DomainUpdated", `domain-${domain.id as string}`)).to.equal(1);
    });
  });

  describe("secrets are shown once", () => {
    it("POST /api-keys: a retry is a 409 naming the key, and no secret is stored with the answer", async () => {
      const key = randomUUID();
      const first = await keyed("POST", "/api-keys", { label: "ci", permissions: ["read"] }, key);
      expect(first.status).to.equal(201);
      const retry = await keyed("POST", "/api-keys", { label: "ci", permissions: ["read"] }, key);
      expectError(retry, 409);
      expect(retry.body.error).to.include(first.body.id as string);
      const stored = await t.db.pool.query<{ body: unknown }>("select body from idempotency_keys where key = $1", [key]);
      expect(JSON.stringify(stored.rows)).not.to.include(first.body.key as string);
      const listed = ((await api.get("/api-keys")).body.data as { label: string }[]).filter((k) => k.label === "ci");
      expect(listed).to.have.length(1);
    });

    it("POST /api-keys whose answer was lost: 409 naming the key made, not a second key", async () => {
      const key = randomUUID();
      const first = await keyed("POST", "/api-keys", { label: "lost", permissions: ["read"] }, key);
      await loseAnswer(key);
      const retry = await keyed("POST", "/api-keys", { label: "lost", permissions: ["read"] }, key);
      expectError(retry, 409);
      expect(retry.body.error).to.include(first.body.id as string);
      expect(((await api.get("/api-keys")).body.data as { label: string }[]).filter((k) => k.label === "lost")).to.have.length(1);
    });
  });

  it("is not needed: writes without the header act every time, as before", async () => {
    expect((await api.post("/domains", { hostname: "no-key.example.com" })).status).to.equal(201);
    expectError(await api.post("/domains", { hostname: "no-key.example.com" }), 409);
  });
});
