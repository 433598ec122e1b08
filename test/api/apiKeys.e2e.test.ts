import { createHash, randomBytes } from "node:crypto";
import { expect } from "chai";
import type { RunningServer } from "../../src/app/server.js";
import { ManualClock } from "../../src/shared/clock.js";
import { ISO_INSTANT, UUID, WITHOUT_CHECKS, expectError } from "../support/apiHelpers.js";
import { apiClient, startPeerServer, startTestServer, type ApiClient, type ApiResponse, type TestServer } from "../support/testServer.js";

const CREATED_KEY_FIELDS = ["id", "label", "key", "permissions", "expires_at", "last_used_at", "created_at"];
const LISTED_KEY_FIELDS = ["id", "label", "key_prefix", "permissions", "expires_at", "last_used_at", "created_at"];
const RATE_LIMITED = /^Rate limit exceeded\. Try again in (\d+) seconds\.$/;

/** The random part of a key: what must never be stored or shown again. */
const secretOf = (key: string) => key.replace(/^ssa_live_/, "");

async function mintKey(api: ApiClient, body: Record<string, unknown> = { label: "test key", permissions: ["read", "write"] }) {
  const res = await api.post("/api-keys", body);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: string; key: string; label: string; permissions: string[]; expires_at: string | null };
}

describe("API keys and authentication (e2e)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
  });
  after(async () => t?.close());

  const newUser = async () => {
    const { userId, key } = await t.createUser();
    return { userId, key, api: t.client(key) };
  };

  describe("authentication", () => {
    const anonymous = () => apiClient(t.url);

    it("answers 401 JSON without an Authorization header", async () => {
      for (const [method, path] of [
        ["GET", "/domains"],
        ["POST", "/domains"],
        ["GET", "/api-keys"],
        ["POST", "/api-keys"],
        ["DELETE", "/domains/00000000-0000-4000-8000-000000000000"],
      ] as const) {
        const res = await anonymous().request(method, path, method === "POST" ? { label: "x" } : undefined);
        expectError(res, 401);
        // RFC 9110 §11.6.1: a 401 carries the challenge (RFC 6750 §3: a bearer token).
        expect(res.headers.get("www-authenticate"), `${method} ${path}`).to.equal('Bearer realm="ssltrackr"');
      }
    });

    it("answers 401 to malformed Authorization headers", async () => {
      const { key } = await newUser();
      for (const authorization of [
        "",
        "Bearer",
        "Bearer ",
        key,
        `Basic ${Buffer.from(`user:${key}`).toString("base64")}`,
        `Token ${key}`,
        `Bearer ${key} ${key}`,
        `Bearer ${key.slice("ssa_".length)}`,
        `Bearer sk_live_${secretOf(key)}`,
        `Bearer ssa_${"x".repeat(300)}`,
      ]) {
        const res = await anonymous().request("GET", "/domains", undefined, { authorization });
        expectError(res, 401);
        expect(res.headers.get("www-authenticate")).to.equal('Bearer realm="ssltrackr"');
      }
    });

    it("answers 401 to a well-formed key that does not exist, even one character off a real one", async () => {
      const { key } = await newUser();
      const last = key.at(-1) === "A" ? "B" : "A";
      for (const unknown of [`ssa_live_${randomBytes(32).toString("base64url")}`, key.slice(0, -1) + last]) {
        expectError(await t.client(unknown).get("/domains"), 401, "Missing or invalid API key");
      }
      expect((await t.client(key).get("/domains")).status).to.equal(200);
    });

    it("accepts the Bearer scheme in any letter case", async () => {
      const { key } = await newUser();
      expect((await anonymous().request("GET", "/domains", undefined, { authorization: `bearer ${key}` })).status).to.equal(200);
    });

    it("answers 401 once a key is revoked (DELETE /api-keys/{id}); the user's other keys keep working", async () => {
      const { api } = await newUser();
      const second = await mintKey(api);
      expect((await t.client(second.key).get("/domains")).status).to.equal(200);
      const res = await api.delete(`/api-keys/${second.id}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: "API key revoked", revoked_key_ids: [second.id] });
      expectError(await t.client(second.key).get("/domains"), 401);
      expectError(await t.client(second.key).post("/domains", { hostname: "after-revoke.example.com" }), 401);
      expect((await api.get("/domains")).status).to.equal(200);
      expect((await api.get("/api-keys")).body.data.map((k: { id: string }) => k.id)).to.not.include(second.id);
      expectError(await api.delete(`/api-keys/${second.id}`), 404, "API key not found");
    });

    it("revokes only the key by default: keys it created keep working (rotation: mint the replacement, revoke the old)", async () => {
      const { api } = await newUser();
      const old = await mintKey(api, { label: "old", permissions: ["read", "write"] });
      const replacement = await mintKey(t.client(old.key), { label: "replacement", permissions: ["read", "write"] });
      const res = await t.client(replacement.key).delete(`/api-keys/${old.id}`);
      expect(res.body).to.deep.equal({ message: "API key revoked", revoked_key_ids: [old.id] });
      expectError(await t.client(old.key).get("/domains"), 401);
      expect((await t.client(replacement.key).get("/domains")).status).to.equal(200);
    });

    it("revokes a key and every key it created, transitively, with ?cascade=true (a leaked key); its maker and siblings stay", async () => {
      const { api } = await newUser();
      const leaked = await mintKey(api, { label: "leaked", permissions: ["read", "write"] });
      const child = await mintKey(t.client(leaked.key), { label: "child", permissions: ["read", "write"] });
      const grandchild = await mintKey(t.client(child.key), { label: "grandchild", permissions: ["read"] });
      const sibling = await mintKey(api, { label: "sibling", permissions: ["read"] });
      expectError(await api.delete(`/api-keys/${leaked.id}?cascade=yes`), 400);
      const res = await api.delete(`/api-keys/${leaked.id}?cascade=true`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: "API key revoked", revoked_key_ids: [leaked.id, child.id, grandchild.id] });
      for (const gone of [leaked, child, grandchild]) expectError(await t.client(gone.key).get("/domains"), 401);
      expect((await api.get("/domains")).status).to.equal(200);
      expect((await t.client(sibling.key).get("/domains")).status).to.equal(200);
      const listed = (await api.get("/api-keys")).body.data.map((k: { id: string }) => k.id);
      expect(listed).to.include(sibling.id).and.not.include.members([leaked.id, child.id, grandchild.id]);
    });

    it("lets a key revoke itself, after which it is refused", async () => {
      const { api } = await newUser();
      const own = (await api.get("/api-keys")).body.data[0].id;
      expect((await api.delete(`/api-keys/${own}`)).status).to.equal(200);
      expectError(await api.get("/domains"), 401);
    });

    describe("a read-only key", () => {
      let owner: ApiClient;
      let reader: ApiClient;
      let domain: { id: string };
      before(async () => {
        owner = (await newUser()).api;
        const readOnly = await mintKey(owner, { label: "read only" });
        expect(readOnly.permissions).to.deep.equal(["read"]);
        reader = t.client(readOnly.key);
        domain = (await owner.post("/domains", { hostname: "readonly.example.com" })).body;
      });

      it("may read: GET /domains, /domains/{id} and /api-keys", async () => {
        expect((await reader.get("/domains")).body.pagination.total).to.equal(1);
        expect((await reader.get(`/domains/${domain.id}`)).body).to.deep.equal(domain);
        expect((await reader.get("/api-keys")).status).to.equal(200);
      });

      it("gets 403 for POST, PUT and DELETE, and nothing changes", async () => {
        expectError(await reader.post("/domains", { hostname: "new.example.com" }), 403);
        expectError(await reader.put(`/domains/${domain.id}`, { notes: "changed" }), 403);
        expectError(await reader.delete(`/domains/${domain.id}`), 403);
        expectError(await reader.post("/api-keys", { label: "escalate", permissions: ["read"] }), 403);
        expectError(await reader.post("/api-keys", { label: "escalate", permissions: ["read", "write"] }), 403);
        const keys = (await owner.get("/api-keys")).body;
        expectError(await reader.delete(`/api-keys/${keys.data[0].id}`), 403);
        expect((await owner.get("/domains")).body.data.map((d: { id: string }) => d.id)).to.deep.equal([domain.id]);
        expect((await owner.get(`/domains/${domain.id}`)).body).to.deep.equal(domain);
        expect((await owner.get("/api-keys")).body.pagination.total).to.equal(keys.pagination.total);
      });
    });
  });

  describe("POST and GET /api-keys", () => {
    it("returns the key once, with exactly the spec's fields; the new key works", async () => {
      const { api } = await newUser();
      const res = await api.post("/api-keys", {
        label: "CI/CD Pipeline",
        permissions: ["read", "write"],
        expires_at: "2099-01-01T00:00:00.000Z",
      });
      expect(res.status).to.equal(201);
      expect(res.body).to.have.all.keys(...CREATED_KEY_FIELDS);
      expect(res.body).to.deep.include({
        label: "CI/CD Pipeline",
        permissions: ["read", "write"],
        expires_at: "2099-01-01T00:00:00.000Z",
        last_used_at: null,
      });
      expect(res.body.id).to.match(UUID);
      expect(res.body.key).to.match(/^ssa_[A-Za-z0-9_-]{40,}$/);
      expect(res.body.created_at).to.match(ISO_INSTANT);
      expect((await t.client(res.body.key).post("/domains", { hostname: "made-by-new-key.example.com" })).status).to.equal(201);
    });

    it("defaults permissions to read and expires_at to null", async () => {
      const created = await mintKey((await newUser()).api, { label: "defaults" });
      expect(created.permissions).to.deep.equal(["read"]);
      expect(created.expires_at).to.equal(null);
    });

    it("lists keys without the key or its secret anywhere in the body", async () => {
      const { api, key } = await newUser();
      const minted = await mintKey(api, { label: "listed" });
      const res = await api.get("/api-keys");
      expect(res.status).to.equal(200);
      expect(res.body.pagination).to.deep.equal({ page: 1, per_page: 20, total: 2, total_pages: 1 });
      for (const item of res.body.data) expect(item).to.have.all.keys(...LISTED_KEY_FIELDS);
      const listed = res.body.data.find((k: { id: string }) => k.id === minted.id);
      expect(listed).to.deep.include({ label: "listed", permissions: ["read"], expires_at: null });
      expect(minted.key.startsWith(listed.key_prefix)).to.equal(true);
      const text = JSON.stringify(res.body);
      for (const k of [key, minted.key]) {
        expect(text).to.not.include(k);
        expect(text).to.not.include(secretOf(k));
      }
    });

    it("stores only a hash: the secret is in no table of the database, events included", async () => {
      const { api, key } = await newUser();
      const minted = await mintKey(api);
      const { rows } = await t.db.pool.query<{ key_hash: string }>("select key_hash from api_keys where id = $1", [minted.id]);
      expect(rows[0]?.key_hash).to.equal(createHash("sha256").update(minted.key).digest("hex"));

      const tables = await t.db.pool.query<{ schema: string; name: string }>(
        `select table_schema as schema, table_name as name from information_schema.tables
         where table_schema in ('public', 'eventstore') and table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.map((r) => `${r.schema}.${r.name}`)).to.include.members(["public.api_keys", "eventstore.events"]);
      const rowsContaining = async (text: string) => {
        let found = 0;
        for (const { schema, name } of tables.rows) {
          const q = await t.db.pool.query<{ n: string }>(`select count(*) as n from "${schema}"."${name}" r where r::text like $1`, [
            `%${text}%`,
          ]);
          found += Number(q.rows[0]?.n ?? 0);
        }
        return found;
      };
      // The scan does find what is stored (the hash: in the event and in the read model)...
      expect(await rowsContaining(rows[0]?.key_hash ?? "-")).to.be.at.least(2);
      // ...and finds neither secret.
      for (const k of [key, minted.key]) expect(await rowsContaining(secretOf(k)), k).to.equal(0);
    });

    it("shows last_used_at once a key has been used", async () => {
      const { api } = await newUser();
      const minted = await mintKey(api, { label: "usage" });
      const listed = async () => (await api.get("/api-keys")).body.data.find((k: { id: string }) => k.id === minted.id);
      expect((await listed()).last_used_at).to.equal(null);
      const before = Date.now();
      expect((await t.client(minted.key).get("/domains")).status).to.equal(200);
      const usedAt = (await listed()).last_used_at;
      expect(usedAt).to.match(ISO_INSTANT);
      expect(Date.parse(usedAt)).to.be.within(before - 1000, Date.now() + 1000);
      // It survives the tracker's flush to the database.
      await t.server.services.usage.flush();
      const stored = await t.db.pool.query<{ last_used_at: Date }>("select last_used_at from api_key_usage where key_id = $1", [minted.id]);
      expect(stored.rows[0]?.last_used_at.toISOString()).to.equal(usedAt);
      expect((await listed()).last_used_at).to.equal(usedAt);
    });
  });

  describe("tenancy", () => {
    it("answers 404 when revoking another user's key, which keeps working", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const bobsKeyId = (await bob.api.get("/api-keys")).body.data[0].id;
      expectError(await alice.api.delete(`/api-keys/${bobsKeyId}`), 404, "API key not found");
      expect((await bob.api.get("/domains")).status).to.equal(200);
    });

    it("lists only the caller's own keys", async () => {
      const alice = await newUser();
      const bob = await newUser();
      await mintKey(bob.api);
      const ids = (await alice.api.get("/api-keys")).body.data.map((k: { id: string }) => k.id);
      const bobs = (await bob.api.get("/api-keys")).body.data.map((k: { id: string }) => k.id);
      expect(ids).to.have.length(1);
      expect(bobs).to.have.length(2);
      expect(ids).to.not.include.members(bobs);
    });
  });

  describe("rate limit of POST /api-keys (5 per minute per user)", () => {
    const expectLimited = (res: ApiResponse) => {
      expectError(res, 429);
      const seconds = Number(RATE_LIMITED.exec(res.body.error)?.[1]);
      expect(seconds, res.body.error).to.be.within(1, 60);
      expect(res.headers.get("retry-after")).to.equal(String(seconds));
      expect(res.headers.get("ratelimit-limit")).to.equal("5");
      expect(res.headers.get("ratelimit-remaining")).to.equal("0");
      expect(Number(res.headers.get("ratelimit-reset"))).to.be.within(1, 60);
    };

    it("allows 5, refuses the 6th with 429, Retry-After and RateLimit-* headers", async () => {
      const { api } = await newUser();
      for (let i = 0; i < 5; i++) {
        const res = await api.post("/api-keys", { label: `k${i}` });
        expect(res.status).to.equal(201);
        expect(res.headers.get("ratelimit-limit")).to.equal("5");
        expect(res.headers.get("ratelimit-remaining")).to.equal(String(4 - i));
        expect(Number(res.headers.get("ratelimit-reset"))).to.be.within(1, 60);
      }
      expectLimited(await api.post("/api-keys", { label: "sixth" }));
      expect((await api.get("/api-keys")).body.pagination.total).to.equal(6);
    });

    it("counts per user across all of the user's keys, and leaves other users alone", async () => {
      const alice = await newUser();
      const minted = [];
      for (let i = 0; i < 5; i++) minted.push(await mintKey(alice.api, { label: `a${i}`, permissions: ["read", "write"] }));
      expectLimited(await t.client(minted[4]?.key).post("/api-keys", { label: "other key, same user" }));
      const bob = await newUser();
      expect((await bob.api.post("/api-keys", { label: "bob" })).status).to.equal(201);
      // Other routes are not limited by it.
      expect((await alice.api.post("/domains", { hostname: "still-allowed.example.com" })).status).to.equal(201);
    });

    it("lets exactly 5 of 10 concurrent requests through", async () => {
      const { api } = await newUser();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post("/api-keys", { label: `c${i}` })));
      expect(results.filter((r) => r.status === 201)).to.have.length(5);
      results.filter((r) => r.status !== 201).forEach(expectLimited);
    });

    describe("across two app processes sharing one database", () => {
      let peer: RunningServer;
      before(async () => {
        peer = await startPeerServer(t.db.url, { env: WITHOUT_CHECKS });
      });
      after(async () => peer?.close());

      it("still allows 5 in total when requests alternate between the processes", async () => {
        const { key } = await newUser();
        const servers = [t.client(key), apiClient(peer.url, key)];
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) {
          const res = await servers[i % 2]!.post("/api-keys", { label: `p${i}` });
          statuses.push(res.status);
          if (res.status === 201) {
            // Each process sees the key the other just created (read-your-writes across processes).
            for (const s of servers) expect((await s.get("/api-keys")).body.data.map((k: { id: string }) => k.id)).to.include(res.body.id);
          } else expectLimited(res);
        }
        expect(statuses).to.deep.equal([201, 201, 201, 201, 201, 429, 429, 429, 429, 429]);
      });
    });
  });

  describe("with a clock the test moves", () => {
    let tc: TestServer;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock(new Date("2026-06-01T12:00:00.000Z"));
      tc = await startTestServer({ clock, env: WITHOUT_CHECKS });
    });
    after(async () => tc?.close());

    it("refuses a key with 401 once its expires_at has passed", async () => {
      const api = tc.client((await tc.createUser()).key);
      const expiring = await mintKey(api, { label: "short-lived", expires_at: new Date(clock.now().getTime() + 60_000).toISOString() });
      const client = tc.client(expiring.key);
      expect((await client.get("/domains")).status).to.equal(200);
      clock.advance(59_000);
      expect((await client.get("/domains")).status).to.equal(200);
      clock.advance(1_000);
      expectError(await client.get("/domains"), 401);
      expect((await api.get("/domains")).status).to.equal(200);
    });

    it("a key expiring in 25 s cannot mint a key that outlives it (403); one expiring no later is made, and dies with it", async () => {
      const api = tc.client((await tc.createUser()).key);
      const parentExpiry = new Date(clock.now().getTime() + 25_000).toISOString();
      const parent = tc.client((await mintKey(api, { label: "25 s", permissions: ["read", "write"], expires_at: parentExpiry })).key);
      const outlives = `An API key cannot create a key that outlives it: this key expires at ${parentExpiry}, so expires_at must be set and no later than that`;
      expectError(await parent.post("/api-keys", { label: "forever", permissions: ["read", "write"] }), 403, outlives);
      expectError(await parent.post("/api-keys", { label: "null", expires_at: null }), 403, outlives);
      const later = new Date(Date.parse(parentExpiry) + 1_000).toISOString();
      expectError(await parent.post("/api-keys", { label: "later", expires_at: later }), 403, outlives);
      // In another offset, the same instant is allowed: "no later" compares instants.
      const sameInstant = new Date(Date.parse(parentExpiry) + 2 * 3_600_000).toISOString().replace("Z", "+02:00");
      const child = await mintKey(parent, { label: "child", permissions: ["read"], expires_at: sameInstant });
      expect(child.expires_at).to.equal(parentExpiry);
      const childClient = tc.client(child.key);
      expect((await childClient.get("/domains")).status).to.equal(200);
      clock.advance(25_000);
      expectError(await parent.get("/domains"), 401);
      expectError(await childClient.get("/domains"), 401);
      expect((await api.get("/domains")).status).to.equal(200);
    });

    it("refuses expires_at in the past by the server's clock", async () => {
      const api = tc.client((await tc.createUser()).key);
      const past = new Date(clock.now().getTime() - 1000).toISOString();
      expectError(await api.post("/api-keys", { label: "past", expires_at: past }), 400, "expires_at must be in the future");
    });

    it("allows POST /api-keys again once the minute has passed", async () => {
      const api = tc.client((await tc.createUser()).key);
      for (let i = 0; i < 5; i++) await mintKey(api, { label: `w${i}` });
      clock.advance(30_000);
      const limited = await api.post("/api-keys", { label: "too soon" });
      expectError(limited, 429, "Rate limit exceeded. Try again in 30 seconds.");
      expect(limited.headers.get("retry-after")).to.equal("30");
      clock.advance(30_000);
      expect((await api.post("/api-keys", { label: "next minute" })).status).to.equal(201);
    });
  });
});
