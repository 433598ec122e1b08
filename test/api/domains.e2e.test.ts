import { expect } from "chai";
import { ISO_INSTANT, UUID, WITHOUT_CHECKS, expectError, inGroups } from "../support/apiHelpers.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

// The published fields (spec: POST/GET/PUT /domains/{id} and GET /domains), plus `status`.
const DETAIL_FIELDS = [
  "id",
  "hostname",
  "port",
  "is_active",
  "notes",
  "tags",
  "ssl_grade",
  "ssl_days_remaining",
  "whois_days_remaining",
  "created_at",
  "updated_at",
  "status",
  // Issue #14's addition: when the certificate is due for renewal.
  "renewal_due_at",
  // Addition (issue #15): the notification mute.
  "muted_until",
  // Addition: the soonest expiry of certificate chain and registration.
  "expires_at",
];
const LIST_FIELDS = DETAIL_FIELDS.filter((f) => f !== "notes" && f !== "updated_at");
const UNCHECKED_STATUS_FILTERS = ["valid", "warning", "critical", "expired", "error"];
const ALREADY_MONITORED = { error: "This domain is already being monitored" };
const NOT_FOUND = "Domain not found";

describe("Domains API (e2e)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
  });
  after(async () => t?.close());

  const newUser = async (): Promise<ApiClient> => t.client((await t.createUser()).key);
  const create = async (api: ApiClient, body: Record<string, unknown>) => {
    const res = await api.post("/domains", body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  describe("POST /domains", () => {
    it("creates a domain with the spec's defaults (port 443, tags [], notes null) and the spec's fields plus status", async () => {
      const api = await newUser();
      const before = Date.now();
      const res = await api.post("/domains", { hostname: "defaults.example.com" });
      expect(res.status).to.equal(201);
      expect(res.body).to.have.all.keys(...DETAIL_FIELDS);
      expect(res.body).to.deep.include({
        hostname: "defaults.example.com",
        port: 443,
        is_active: true,
        notes: null,
        tags: [],
        ssl_grade: null,
        ssl_days_remaining: null,
        whois_days_remaining: null,
        status: "pending",
      });
      expect(res.body.id).to.match(UUID);
      expect(res.body.created_at).to.match(ISO_INSTANT);
      expect(res.body.updated_at).to.equal(res.body.created_at);
      expect(Date.parse(res.body.created_at)).to.be.within(before - 1000, Date.now() + 1000);
    });

    it("stores the given port, notes and tags", async () => {
      const api = await newUser();
      const body = await create(api, {
        hostname: "example.com",
        port: 8443,
        notes: "Production server",
        tags: ["production", "web"],
      });
      expect(body).to.deep.include({ hostname: "example.com", port: 8443, notes: "Production server", tags: ["production", "web"] });
    });

    it("trims tags and keeps a tag given twice once, in its first place; a blank tag is a 400", async () => {
      const api = await newUser();
      const body = await create(api, { hostname: "tags.example.com", tags: [" web ", "production", "web", "production "] });
      expect(body.tags).to.deep.equal(["web", "production"]);
      expect((await api.put(`/domains/${body.id}`, { tags: ["a", "a"] })).body.tags).to.deep.equal(["a"]);
      for (const blank of ["", "   "]) expectError(await api.post("/domains", { hostname: "blank.example.com", tags: ["ok", blank] }), 400, "Invalid tags.1: a tag must not be blank");
    });

    it("stores the hostname in canonical form (lower case, no trailing dot, IDN as punycode)", async () => {
      const api = await newUser();
      expect((await create(api, { hostname: "WWW.Example.COM." })).hostname).to.equal("www.example.com");
      expect((await create(api, { hostname: "bücher.de" })).hostname).to.equal("xn--bcher-kva.de");
    });
  });

  describe("one hostname:port per user (409)", () => {
    it("refuses the same hostname:port twice", async () => {
      const api = await newUser();
      await create(api, { hostname: "dup.example.com" });
      const again = await api.post("/domains", { hostname: "dup.example.com", port: 443 });
      expect(again.status).to.equal(409);
      expect(again.body).to.deep.equal(ALREADY_MONITORED);
    });

    it("refuses differently spelled forms of one host (case, trailing dot, IDN vs punycode)", async () => {
      const api = await newUser();
      await create(api, { hostname: "example.com" });
      for (const hostname of ["EXAMPLE.com.", "Example.Com", "example.com."]) {
        const res = await api.post("/domains", { hostname });
        expect(res.status, hostname).to.equal(409);
        expect(res.body).to.deep.equal(ALREADY_MONITORED);
      }
      await create(api, { hostname: "bücher.de" });
      expect((await api.post("/domains", { hostname: "xn--bcher-kva.de" })).body).to.deep.equal(ALREADY_MONITORED);
      await create(api, { hostname: "xn--mnchen-3ya.de" });
      expect((await api.post("/domains", { hostname: "MÜNCHEN.de." })).body).to.deep.equal(ALREADY_MONITORED);
    });

    it("lets exactly one of 10 concurrent creates of one host win, whatever the spelling", async () => {
      for (const round of [1, 2, 3]) {
        const api = await newUser();
        const spellings = [`race${round}.example.com`, `RACE${round}.example.com.`, `Race${round}.Example.Com`];
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => api.post("/domains", { hostname: spellings[i % spellings.length] })),
        );
        const statuses = results.map((r) => r.status);
        expect(statuses.filter((s) => s === 201), `round ${round}: ${statuses.join(",")}`).to.have.length(1);
        expect(statuses.filter((s) => s === 409), `round ${round}: ${statuses.join(",")}`).to.have.length(9);
        for (const r of results.filter((x) => x.status === 409)) expect(r.body).to.deep.equal(ALREADY_MONITORED);
        const list = await api.get("/domains");
        expect(list.body.pagination.total).to.equal(1);
        expect(list.body.data[0].hostname).to.equal(`race${round}.example.com`);
      }
    });

    it("allows re-adding a hostname after its domain was deleted", async () => {
      const api = await newUser();
      const first = await create(api, { hostname: "again.example.com" });
      expect((await api.delete(`/domains/${first.id}`)).status).to.equal(200);
      const second = await create(api, { hostname: "AGAIN.example.com" });
      expect(second.id).to.not.equal(first.id);
      expect((await api.post("/domains", { hostname: "again.example.com" })).status).to.equal(409);
    });

    it("lets another user monitor the same hostname", async () => {
      await create(await newUser(), { hostname: "shared.example.com" });
      await create(await newUser(), { hostname: "shared.example.com" });
    });

    it("allows the same hostname on another port", async () => {
      const api = await newUser();
      await create(api, { hostname: "ports.example.com" });
      await create(api, { hostname: "ports.example.com", port: 8443 });
      expect((await api.post("/domains", { hostname: "ports.example.com", port: 8443 })).status).to.equal(409);
    });

    it("refuses a PUT moving a domain onto another monitored hostname:port, leaving it unchanged", async () => {
      const api = await newUser();
      await create(api, { hostname: "taken.example.com" });
      await create(api, { hostname: "taken.example.com", port: 8443 });
      const mover = await create(api, { hostname: "mover.example.com" });
      for (const change of [{ hostname: "TAKEN.example.com." }, { hostname: "taken.example.com", port: 8443 }]) {
        const res = await api.put(`/domains/${mover.id}`, change);
        expect(res.status, JSON.stringify(change)).to.equal(409);
        expect(res.body).to.deep.equal(ALREADY_MONITORED);
      }
      expect((await api.get(`/domains/${mover.id}`)).body).to.deep.equal(mover);
      // The failed move reserved nothing: its own hostname stays its own.
      expect((await api.post("/domains", { hostname: "mover.example.com" })).status).to.equal(409);
    });

    it("frees the old hostname:port after a hostname or port change, and holds the new one", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "old.example.com" });
      expect((await api.put(`/domains/${d.id}`, { hostname: "new.example.com" })).body.hostname).to.equal("new.example.com");
      await create(api, { hostname: "old.example.com" });
      expect((await api.post("/domains", { hostname: "new.example.com" })).status).to.equal(409);

      expect((await api.put(`/domains/${d.id}`, { port: 8443 })).body.port).to.equal(8443);
      await create(api, { hostname: "new.example.com" });
      expect((await api.post("/domains", { hostname: "new.example.com", port: 8443 })).status).to.equal(409);
    });

    it("treats a PUT to another spelling of the domain's own hostname as no move", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "self.example.com" });
      const res = await api.put(`/domains/${d.id}`, { hostname: "SELF.example.com." });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(d);
    });
  });

  describe("GET /domains", () => {
    let api: ApiClient;
    const hostnames = Array.from({ length: 25 }, (_, i) => `h${String(i + 1).padStart(2, "0")}.list.example`);
    const list = async (query: string) => {
      const res = await api.get(`/domains${query}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body;
    };

    before(async () => {
      api = await newUser();
      await inGroups(hostnames.length, 5, (i) => create(api, { hostname: hostnames[i] }));
      const gone = await create(api, { hostname: "deleted.list.example" });
      await api.delete(`/domains/${gone.id}`);
    });

    it("defaults to page 1, 20 per page, newest first (sort created_at, order desc)", async () => {
      const body = await list("");
      expect(body).to.have.all.keys("data", "pagination");
      expect(body.pagination).to.deep.equal({ page: 1, per_page: 20, total: 25, total_pages: 2 });
      expect(body.data).to.have.length(20);
      expect(await list("?page=1&per_page=20&sort=created_at&order=desc&status=all")).to.deep.equal(body);
      const all = [...body.data, ...(await list("?page=2")).data];
      const created = all.map((d) => Date.parse(d.created_at));
      expect(created).to.deep.equal([...created].sort((a, b) => b - a));
      expect((await list("?per_page=100&order=asc")).data.reverse()).to.deep.equal(all);
    });

    it("lists each item with exactly the spec's list fields plus status, unchecked as pending", async () => {
      const { data } = await list("?per_page=100");
      for (const item of data) {
        expect(item).to.have.all.keys(...LIST_FIELDS);
        expect(item).to.deep.include({ port: 443, is_active: true, tags: [], status: "pending" });
        expect(item).to.include({ ssl_grade: null, ssl_days_remaining: null, whois_days_remaining: null });
      }
    });

    it("pages through all domains without overlap and excludes deleted ones", async () => {
      const pages = await Promise.all([1, 2, 3].map((page) => list(`?per_page=10&page=${page}`)));
      expect(pages.map((p) => p.data.length)).to.deep.equal([10, 10, 5]);
      expect(pages[2].pagination).to.deep.equal({ page: 3, per_page: 10, total: 25, total_pages: 3 });
      const seen = pages.flatMap((p) => p.data.map((d: { hostname: string }) => d.hostname));
      expect([...seen].sort()).to.deep.equal(hostnames);
    });

    it("answers a page past the end with no data and the true total", async () => {
      expect(await list("?page=9")).to.deep.equal({ data: [], pagination: { page: 9, per_page: 20, total: 25, total_pages: 2 } });
    });

    it("honours per_page at both limits (1 and 100)", async () => {
      const one = await list("?per_page=1&page=25");
      expect(one.data).to.have.length(1);
      expect(one.pagination).to.deep.equal({ page: 25, per_page: 1, total: 25, total_pages: 25 });
      expect((await list("?per_page=100")).data).to.have.length(25);
    });

    it("sorts by hostname in either order", async () => {
      const asc = await list("?sort=hostname&order=asc&per_page=100");
      expect(asc.data.map((d: { hostname: string }) => d.hostname)).to.deep.equal(hostnames);
      const desc = await list("?sort=hostname&order=desc&per_page=5");
      expect(desc.data.map((d: { hostname: string }) => d.hostname)).to.deep.equal(hostnames.slice(-5).reverse());
    });

    it("accepts sorting by days remaining while no domain has been checked", async () => {
      for (const sort of ["ssl_days_remaining", "whois_days_remaining"]) {
        for (const order of ["asc", "desc"]) {
          const body = await list(`?sort=${sort}&order=${order}&per_page=100`);
          expect(body.pagination.total, `${sort} ${order}`).to.equal(25);
        }
      }
    });

    it("searches hostnames by case-insensitive substring", async () => {
      const h1 = await list("?search=H1&per_page=100");
      expect(h1.data.map((d: { hostname: string }) => d.hostname).sort()).to.deep.equal(hostnames.slice(9, 19));
      expect((await list("?search=h07.list")).data.map((d: { hostname: string }) => d.hostname)).to.deep.equal(["h07.list.example"]);
      expect((await list("?search=nomatch")).pagination.total).to.equal(0);
    });

    it("treats LIKE wildcards in the search literally", async () => {
      for (const search of ["%25", "_", "h_1", "h%251"]) {
        expect((await list(`?search=${search}`)).pagination.total, search).to.equal(0);
      }
    });

    it("matches no unchecked domain with status valid/warning/critical/expired/error; status=all lists them", async () => {
      for (const status of UNCHECKED_STATUS_FILTERS) {
        expect(await list(`?status=${status}`), status).to.deep.equal({
          data: [],
          pagination: { page: 1, per_page: 20, total: 0, total_pages: 0 },
        });
      }
      expect((await list("?status=all")).pagination.total).to.equal(25);
    });
  });

  describe("GET, PUT and DELETE /domains/{id}", () => {
    it("gets a domain with the spec's detail fields", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "get.example.com", notes: "n", tags: ["t"] });
      const res = await api.get(`/domains/${d.id}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.have.all.keys(...DETAIL_FIELDS);
      expect(res.body).to.deep.equal(d);
    });

    it("updates the given fields only, keeps created_at and moves updated_at", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "put.example.com", notes: "Production server", tags: ["production"] });
      await sleep(5);
      const res = await api.put(`/domains/${d.id}`, { is_active: false, notes: "Deprecated server" });
      expect(res.status).to.equal(200);
      expect(res.body).to.have.all.keys(...DETAIL_FIELDS);
      expect(res.body).to.deep.include({
        id: d.id,
        hostname: "put.example.com",
        port: 443,
        is_active: false,
        notes: "Deprecated server",
        tags: ["production"],
        created_at: d.created_at,
      });
      expect(Date.parse(res.body.updated_at)).to.be.above(Date.parse(d.updated_at));
    });

    it("updates hostname (canonicalised), port and tags, and clears notes with null", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "before.example.com", notes: "x", tags: ["a"] });
      const res = await api.put(`/domains/${d.id}`, { hostname: "AFTER.example.com.", port: 8443, tags: ["b", "c"], notes: null });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ hostname: "after.example.com", port: 8443, tags: ["b", "c"], notes: null, is_active: true });
    });

    it("answers an empty PUT with the unchanged domain", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "same.example.com" });
      const res = await api.put(`/domains/${d.id}`, {});
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(d);
    });

    it("deletes with 200 {message}, after which GET, PUT and DELETE answer 404 'Domain not found'", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "delete.example.com" });
      const res = await api.delete(`/domains/${d.id}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: "Domain deleted" });
      expectError(await api.get(`/domains/${d.id}`), 404, NOT_FOUND);
      expectError(await api.put(`/domains/${d.id}`, { notes: "x" }), 404, NOT_FOUND);
      expectError(await api.delete(`/domains/${d.id}`), 404, NOT_FOUND);
      expect((await api.get("/domains")).body.pagination.total).to.equal(0);
    });

    it("takes the id in upper case for GET, PUT, history and DELETE alike (a UUID is case-insensitive)", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "upper-id.example.com" });
      const upper = (d.id as string).toUpperCase();
      const got = await api.get(`/domains/${upper}`);
      expect(got.status).to.equal(200);
      expect(got.body).to.deep.equal(d);
      const put = await api.put(`/domains/${upper}`, { notes: "by upper-case id" });
      expect(put.status, JSON.stringify(put.body)).to.equal(200);
      expect(put.body).to.deep.include({ id: d.id, notes: "by upper-case id" });
      expect((await api.get(`/domains/${upper}/history`)).status).to.equal(200);
      expect((await api.delete(`/domains/${upper}`)).status).to.equal(200);
      expectError(await api.get(`/domains/${d.id}`), 404, NOT_FOUND);
    });

    it("answers 404 for a domain id that never existed", async () => {
      const api = await newUser();
      const id = "00000000-0000-4000-8000-000000000000";
      expectError(await api.get(`/domains/${id}`), 404, NOT_FOUND);
      expectError(await api.put(`/domains/${id}`, { notes: "x" }), 404, NOT_FOUND);
      expectError(await api.delete(`/domains/${id}`), 404, NOT_FOUND);
    });
  });

  describe("read-your-writes", () => {
    it("sees each of 50 domains, created 10 at a time, in GET and in the list right after its 201", async () => {
      const api = await newUser();
      await inGroups(50, 10, async (i) => {
        const hostname = `ryw${i}.example.com`;
        const d = await create(api, { hostname });
        const got = await api.get(`/domains/${d.id}`);
        expect(got.status, `GET right after creating ${hostname}`).to.equal(200);
        expect(got.body).to.deep.equal(d);
        const listed = await api.get(`/domains?search=${hostname}`);
        expect(listed.body.data.map((x: { id: string }) => x.id), `list right after creating ${hostname}`).to.deep.equal([d.id]);
      });
      expect((await api.get("/domains")).body.pagination.total).to.equal(50);
    });

    it("sees every PUT in the GET right after it", async () => {
      const api = await newUser();
      const d = await create(api, { hostname: "edits.example.com" });
      for (let i = 0; i < 10; i++) {
        const change = { notes: `edit ${i}`, tags: [`t${i}`], is_active: i % 2 === 0, port: 1000 + i };
        expect((await api.put(`/domains/${d.id}`, change)).status).to.equal(200);
        const got = await api.get(`/domains/${d.id}`);
        expect(got.body, `after edit ${i}`).to.deep.include(change);
      }
    });

    it("answers 404 in the GET right after a DELETE, for many domains at once", async () => {
      const api = await newUser();
      await inGroups(20, 10, async (i) => {
        const d = await create(api, { hostname: `gone${i}.example.com` });
        expect((await api.delete(`/domains/${d.id}`)).status).to.equal(200);
        expectError(await api.get(`/domains/${d.id}`), 404, NOT_FOUND);
      });
    });
  });

  describe("tenancy", () => {
    it("hides another user's domain: 404 (never 403) for GET, PUT and DELETE, and absent from their list", async () => {
      const owner = await newUser();
      const other = await newUser();
      const d = await create(owner, { hostname: "private.example.com", notes: "mine" });
      expectError(await other.get(`/domains/${d.id}`), 404, NOT_FOUND);
      expectError(await other.put(`/domains/${d.id}`, { notes: "hacked" }), 404, NOT_FOUND);
      expectError(await other.put(`/domains/${d.id}`, { hostname: "elsewhere.example.com" }), 404, NOT_FOUND);
      expectError(await other.delete(`/domains/${d.id}`), 404, NOT_FOUND);
      expect((await other.get("/domains?search=private")).body.pagination.total).to.equal(0);
      expect((await owner.get(`/domains/${d.id}`)).body).to.deep.equal(d);
      // The foreign PUT reserved nothing in the other user's name either.
      await create(other, { hostname: "elsewhere.example.com" });
    });
  });
});
