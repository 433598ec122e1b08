// POST /domains/bulk through HTTP: mixed good, duplicate and bad rows each answered on their
// own, a retry that adds nothing twice, the row limit, tenancy and the rate limit.
import { expect } from "chai";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

describe("POST /domains/bulk (e2e)", function () {
  this.timeout(60_000);
  let t: TestServer;
  let api: ApiClient;
  before(async () => {
    t = await startTestServer();
    api = t.client((await t.createUser()).key);
  });
  after(async () => t?.close());

  it("answers every row on its own: created, already monitored, listed twice, invalid", async () => {
    const existing = await api.post("/domains", { hostname: "already.example.com" });
    expect(existing.status).to.equal(201);
    const res = await api.post("/domains/bulk", {
      domains: [
        { hostname: "Shop.Example.com", tags: ["prod"], notes: "main shop" },
        { hostname: "api.example.com", port: 8443 },
        { hostname: "already.example.com" },
        { hostname: "shop.example.com" },
        { hostname: "not a hostname" },
        { hostname: "ok.example.com", port: 70000 },
        { hostname: "extra.example.com", colour: "red" },
        "just a string",
        { hostname: "api.example.com", port: 443 },
        { hostname: "nul.example.com", notes: "bad\u0000nul" },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ created: 3, conflicts: 2, invalid: 5 });
    const r = res.body.results as { index: number; status: number; id?: string | null; error?: string; hostname?: string; port?: number }[];
    expect(r.map((x) => x.status)).to.deep.equal([201, 201, 409, 409, 400, 400, 400, 400, 201, 400]);
    expect(r.map((x) => x.index)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A string PostgreSQL cannot store is that row's 400, named, and reserves nothing.
    expect(r[9]!.error).to.match(/^Invalid domains\[9\]\.notes: must not contain NUL/);
    expect((await api.post("/domains", { hostname: "nul.example.com" })).status).to.equal(201);
    expect(r[0]).to.include({ hostname: "shop.example.com", port: 443 });
    expect(r[2]).to.include({ id: existing.body.id, hostname: "already.example.com" });
    expect(r[3]!.error).to.include("listed twice").and.include("row 0");
    expect(r[3]!.id).to.equal(null);
    expect(r[4]!.error).to.match(/^Invalid domains\[4\]\.hostname/);
    expect(r[5]!.error).to.match(/^Invalid domains\[5\]\.port/);
    expect(r[6]!.error).to.equal("Unknown field(s) in domains[6]: colour");
    expect(r[7]!.error).to.match(/^Invalid domains\[7\]: /);

    // Read-your-writes: every created domain is listed at once, with its fields.
    const created = await api.get(`/domains/${r[0]!.id}`);
    expect(created.body).to.include({ hostname: "shop.example.com", port: 443, notes: "main shop" });
    expect(created.body.tags).to.deep.equal(["prod"]);
    const list = await api.get("/domains?per_page=100");
    expect(list.body.pagination.total).to.equal(5);
  });

  it("is safe to retry: rows added by an earlier attempt answer 409 with their ids, nothing is added twice", async () => {
    const rows = { domains: [{ hostname: "retry-a.example.com" }, { hostname: "retry-b.example.com" }] };
    const first = await api.post("/domains/bulk", rows);
    const again = await api.post("/domains/bulk", rows);
    expect(again.body).to.include({ created: 0, conflicts: 2, invalid: 0 });
    expect(again.body.results.map((x: { id: string }) => x.id)).to.deep.equal(first.body.results.map((x: { id: string }) => x.id));
    const list = await api.get("/domains?search=retry-&per_page=100");
    expect(list.body.pagination.total).to.equal(2);
  });

  it("adds each hostname once when bulk requests with overlapping rows run at once, and answers every row", async () => {
    const user = t.client((await t.createUser()).key);
    const rows = (from: number, to: number) => ({ domains: Array.from({ length: to - from }, (_, i) => ({ hostname: `race-${from + i}.example.net` })) });
    const answers = await Promise.all([user.post("/domains/bulk", rows(0, 600)), user.post("/domains/bulk", rows(300, 900)), user.post("/domains/bulk", rows(500, 700))]);
    for (const a of answers) expect(a.status, JSON.stringify(a.body).slice(0, 200)).to.equal(200);
    const results = answers.flatMap((a) => a.body.results as { status: number; id: string | null; hostname: string }[]);
    expect(results).to.have.length(1400);
    expect(results.every((r) => r.status === 201 || r.status === 409)).to.equal(true);
    const created = results.filter((r) => r.status === 201);
    expect(created).to.have.length(900);
    expect(new Set(created.map((r) => r.hostname)).size).to.equal(900);
    // Read-your-writes per request, and the lists agree: every created id is listed, once.
    const listed = new Map<string, string>();
    for (let page = 1; page <= 9; page++) {
      const list = await user.get(`/domains?per_page=100&page=${page}`);
      for (const d of list.body.data as { id: string; hostname: string }[]) listed.set(d.id, d.hostname);
    }
    expect(listed.size).to.equal(900);
    for (const r of created) expect(listed.get(r.id!)).to.equal(r.hostname);
    // A 409 names the domain that won where it is already listed.
    for (const r of results.filter((x) => x.status === 409 && x.id)) expect(listed.get(r.id!)).to.equal(r.hostname);
  });

  it("takes up to 1,000 rows; more, none, or no list is a 400 for the whole request", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ hostname: `bulk-${i}.example.org` }));
    const ok = await api.post("/domains/bulk", { domains: many });
    expect(ok.status).to.equal(200);
    expect(ok.body.created).to.equal(1000);
    for (const body of [{ domains: [...many, { hostname: "one-more.example.org" }] }, { domains: [] }, {}, { domains: "x" }, []]) {
      const res = await api.post("/domains/bulk", body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).to.equal(400);
      expect(res.body.error).to.be.a("string");
    }
  });

  it("adds to the caller's list only: another user's same hostname is theirs to add", async () => {
    const other = t.client((await t.createUser()).key);
    const res = await other.post("/domains/bulk", { domains: [{ hostname: "already.example.com" }] });
    expect(res.body.results[0].status).to.equal(201);
  });

  it("is rate limited per user, with the limit in the headers", async () => {
    const user = t.client((await t.createUser()).key);
    const res = await user.post("/domains/bulk", { domains: [{ hostname: "limited.example.com" }] });
    expect(res.headers.get("ratelimit-limit")).to.equal("30");
    let status = res.status;
    for (let i = 0; i < 30 && status !== 429; i++) status = (await user.post("/domains/bulk", { domains: [{ hostname: "limited.example.com" }] })).status;
    expect(status).to.equal(429);
  });
});
