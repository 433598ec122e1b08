import { expect } from "chai";
import { WITHOUT_CHECKS, expectError, inGroups } from "../support/apiHelpers.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

// GET /domains?tag= and ?sort=expires_at (additions for the dashboard's Domains page).
describe("GET /domains: tag filter and sort=expires_at (e2e)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
  });
  after(async () => t?.close());

  const newUser = async (): Promise<ApiClient> => t.client((await t.createUser()).key);
  const create = async (api: ApiClient, body: Record<string, unknown>): Promise<{ id: string }> => {
    const res = await api.post("/domains", body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const list = async (api: ApiClient, query: string) => {
    const res = await api.get(`/domains${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { data: { hostname: string; tags: string[]; expires_at: string | null }[]; pagination: { total: number; total_pages: number } };
  };
  const hostnames = (body: { data: { hostname: string }[] }) => body.data.map((d) => d.hostname);

  describe("tag", () => {
    let api: ApiClient;
    // 7 domains tagged prod (2 also web), 3 web only, 2 untagged, and a deleted prod one.
    const tagged = (i: number) => (i < 7 ? (i < 2 ? ["prod", "web"] : ["prod"]) : i < 10 ? ["web"] : []);
    before(async () => {
      api = await newUser();
      await inGroups(12, 4, (i) => create(api, { hostname: `t${String(i).padStart(2, "0")}.tags.example`, tags: tagged(i) }));
      const gone = await create(api, { hostname: "gone.tags.example", tags: ["prod"] });
      await api.delete(`/domains/${gone.id}`);
      // Another user's prod domains count for nobody else.
      await create(await newUser(), { hostname: "other.tags.example", tags: ["prod"] });
    });

    it("keeps the tag's domains, pages through them with the tag's total, and none twice", async () => {
      const pages = [];
      for (let page = 1; page <= 3; page++) pages.push(await list(api, `?tag=prod&per_page=3&page=${page}&sort=hostname&order=asc`));
      for (const p of pages) expect(p.pagination).to.deep.include({ total: 7, total_pages: 3 });
      expect(pages.map((p) => p.data.length)).to.deep.equal([3, 3, 1]);
      const seen = pages.flatMap(hostnames);
      expect(seen).to.deep.equal(Array.from({ length: 7 }, (_, i) => `t${String(i).padStart(2, "0")}.tags.example`));
      for (const p of pages) for (const d of p.data) expect(d.tags).to.include("prod");
    });

    it("matches a tag exactly: another tag, case or substring is not it", async () => {
      expect((await list(api, "?tag=web&per_page=100")).pagination.total).to.equal(5);
      expect((await list(api, "?tag=Prod")).pagination.total).to.equal(0);
      expect((await list(api, "?tag=pro")).pagination.total).to.equal(0);
      expect((await list(api, "?tag=nothing")).data).to.deep.equal([]);
      expect((await list(api, "")).pagination.total).to.equal(12);
    });

    it("combines with search and the other sorts", async () => {
      const body = await list(api, "?tag=web&search=t0&sort=hostname&order=desc");
      expect(hostnames(body)).to.deep.equal(["t09.tags.example", "t08.tags.example", "t07.tags.example", "t01.tags.example", "t00.tags.example"]);
      expect(hostnames(await list(api, "?tag=web&search=t1"))).to.deep.equal([]);
      expect((await list(api, "?tag=prod&sort=expires_at&per_page=100")).pagination.total).to.equal(7);
    });

    it("answers 400 for an empty or too long tag, or two tags", async () => {
      expectError(await api.get("/domains?tag="), 400);
      expectError(await api.get(`/domains?tag=${"x".repeat(51)}`), 400);
      expectError(await api.get("/domains?tag=prod&tag=web"), 400);
    });
  });

  describe("sort=expires_at", () => {
    let api: ApiClient;
    // Days from now of each domain's certificate chain (earliest, leaf) and registration expiry;
    // the soonest of them orders the list. Unchecked domains have none.
    const domains: { name: string; earliest?: number; leaf?: number; whois?: number }[] = [
      { name: "cert-first", earliest: 10, leaf: 10, whois: 300 },
      { name: "whois-first", earliest: 200, leaf: 200, whois: 5 },
      { name: "chain-first", earliest: 20, leaf: 90, whois: 400 },
      { name: "cert-only", earliest: 40, leaf: 40 },
      { name: "whois-only", whois: 30 },
      { name: "expired-whois", earliest: 60, leaf: 60, whois: -3 },
      { name: "unchecked-a" },
      { name: "unchecked-b" },
    ];
    const soonestFirst = ["expired-whois", "whois-first", "cert-first", "chain-first", "whois-only", "cert-only"];
    let uncheckedByIdAsc: string[];
    const expected = new Map<string, string | null>();
    before(async () => {
      api = await newUser();
      const ids = await Promise.all(domains.map((d) => create(api, { hostname: `${d.name}.expiry.example` }).then((b) => b.id)));
      const base = Math.floor(Date.now() / 1000) * 1000;
      const at = (days?: number) => (days === undefined ? null : new Date(base + days * 86_400_000 + 3_600_000));
      for (const d of domains) {
        const known = [d.earliest, d.leaf, d.whois].filter((n) => n !== undefined);
        expected.set(d.name, known.length ? at(Math.min(...known))!.toISOString() : null);
      }
      // The read model's expiry columns, as the SSL and registration checks' projections write them.
      await Promise.all(
        domains.map((d, i) =>
          t.db.pool.query(
            `update domains set ssl_earliest_expiry = $2, ssl_valid_to = $3, whois_expiry = $4,
               ssl_checked_at = case when $3::timestamptz is null then null else now() end,
               whois_checked_at = case when $4::timestamptz is null then null else now() end
             where id = $1`,
            [ids[i], at(d.earliest), at(d.leaf), at(d.whois)],
          ),
        ),
      );
      uncheckedByIdAsc = domains
        .map((d, i) => ({ name: d.name, id: ids[i]! }))
        .filter((d) => d.name.startsWith("unchecked"))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((d) => d.name);
    });
    const names = (body: { data: { hostname: string }[] }) => hostnames(body).map((h) => h.replace(".expiry.example", ""));

    it("ascending: soonest of certificate chain and registration first, unchecked last", async () => {
      expect(names(await list(api, "?sort=expires_at&order=asc"))).to.deep.equal([...soonestFirst, ...uncheckedByIdAsc]);
    });

    it("answers each domain's expires_at: the soonest of chain and registration, null when unchecked", async () => {
      const body = await list(api, "?sort=expires_at");
      expect(new Map(body.data.map((d) => [d.hostname.replace(".expiry.example", ""), d.expires_at]))).to.deep.equal(expected);
    });

    it("descending: latest expiry first, unchecked still last", async () => {
      expect(names(await list(api, "?sort=expires_at&order=desc"))).to.deep.equal([...soonestFirst].reverse().concat([...uncheckedByIdAsc].reverse()));
    });

    it("pages in that order across the checked/unchecked boundary, with the total", async () => {
      for (const order of ["asc", "desc"] as const) {
        const all = names(await list(api, `?sort=expires_at&order=${order}`));
        const paged = [];
        for (let page = 1; page <= 3; page++) {
          const body = await list(api, `?sort=expires_at&order=${order}&per_page=3&page=${page}`);
          expect(body.pagination).to.deep.include({ total: 8, total_pages: 3 });
          paged.push(...names(body));
        }
        expect(paged, order).to.deep.equal(all);
      }
    });

    it("answers 400 for an unknown sort or order", async () => {
      expectError(await api.get("/domains?sort=expiry"), 400);
      expectError(await api.get("/domains?sort=expires_at&order=up"), 400);
    });
  });
});
