// GET /reports/expiring (issue #15, 3) through the API, from real checks: local TLS servers with
// certificates of the test PKI expiring at different times (one through an intermediate that
// expires first), a local RDAP registry with registrations expiring soon, late, or lapsing.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { DAY_MS } from "../../src/shared/clock.js";
import { WITHOUT_CHECKS } from "../support/apiHelpers.js";
import { createPki, startTlsServer, type Pki, type RunningServer } from "../support/pki.js";
import { startRdapServer, unusedPort, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
/** n whole days ahead (an hour past, so days_remaining is n). */
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS + 3_600_000);

/** Registration expiry per registrable name, in days; null: the registry has none (404). */
const registrations = new Map<string, number | null>([
  ["soon.test", 300],
  ["later.test", 300],
  ["far.test", 300],
  ["chain.test", 300],
  ["regsoon.test", 12],
  ["gone.test", 200],
  ["paused.test", 3],
  ["other.test", 3],
]);

describe("GET /reports/expiring (e2e, local TLS and RDAP servers)", function () {
  this.timeout(120_000);
  let pki: Pki;
  const sites: RunningServer[] = [];
  let rdap: RegistryServer & { baseUrl: string };
  let t: TestServer;
  let api: ApiClient;
  let key: string;
  const ids = new Map<string, string>();

  before(async () => {
    pki = await createPki();
    const root = await pki.createRootCa({ cn: "Report Root" });
    const int = await pki.createIntermediateCa(root, { cn: "Report Int", subject: "/O=Report CA/CN=Report Int", notBefore: days(-100), notAfter: days(1000) });
    const shortInt = await pki.createIntermediateCa(root, { cn: "Short Int", notBefore: days(-100), notAfter: days(10) });
    const leafOf = (cn: string, expiresIn: number, issuer = int) => pki.createLeaf(issuer, { cn, sans: [cn], notBefore: days(-10), notAfter: days(expiresIn) });
    const serve = async (cn: string, expiresIn: number, issuer = int) => {
      const site = await startTlsServer({ leaf: await leafOf(cn, expiresIn, issuer), chain: [issuer] });
      sites.push(site);
      return site.port;
    };
    const ports = {
      soon: await serve("soon.test", 5),
      later: await serve("later.test", 20),
      far: await serve("far.test", 60),
      chain: await serve("chain.test", 300, shortInt),
      paused: await serve("paused.test", 2),
      other: await serve("other.test", 2),
    };
    const caFile = join(pki.dir, "trusted.pem");
    await writeFile(caFile, root.certPem);
    rdap = await startRdapServer((path) => {
      const name = decodeURIComponent(path.replace(/^\/domain\//, "")).toLowerCase();
      const expiry = registrations.get(name);
      if (expiry === undefined || expiry === null) return { status: 404, body: { errorCode: 404, title: "Not Found" } };
      return {
        body: {
          objectClassName: "domain",
          ldhName: name,
          events: [{ eventAction: "expiration", eventDate: days(expiry).toISOString() }],
          entities: [{ objectClassName: "entity", roles: ["registrar"], vcardArray: ["vcard", [["fn", {}, "text", "Harbour Registrar LLC"]]] }],
        },
      };
    });
    const names = [...registrations.keys()];
    t = await startTestServer({
      env: {
        SSLTRACKR_RESOLVE: names.map((n) => `${n}=127.0.0.1`).join(","),
        SSLTRACKR_RDAP_BOOTSTRAP: writeBootstrapFile(["test"], rdap.baseUrl),
        SSLTRACKR_EXTRA_CA_FILE: caFile,
        SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
        ...WITHOUT_CHECKS,
      },
    });
    key = (await t.createUser()).key;
    api = t.client(key);
    const other = t.client((await t.createUser()).key);
    const refused = await unusedPort();
    const add = async (client: ApiClient, hostname: string, port: number, tags: string[] = []) => {
      const created = await client.post("/domains", { hostname, port, tags });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      ids.set(hostname, created.body.id as string);
      const checked = await client.post("/check", { domain_id: created.body.id });
      expect(checked.status, JSON.stringify(checked.body)).to.equal(200);
    };
    await add(api, "soon.test", ports.soon, ["production"]);
    await add(api, "later.test", ports.later);
    await add(api, "far.test", ports.far);
    await add(api, "chain.test", ports.chain);
    await add(api, "regsoon.test", refused);
    await add(api, "gone.test", ports.far);
    await add(api, "paused.test", ports.paused);
    await add(other, "other.test", ports.other);
    // gone.test lapses: the registry no longer has it.
    registrations.set("gone.test", null);
    expect((await api.post("/check", { domain_id: ids.get("gone.test") })).status).to.equal(200);
    expect((await api.put(`/domains/${ids.get("paused.test")}`, { is_active: false })).status).to.equal(200);
  });

  after(async () => {
    await t?.close();
    await Promise.all(sites.map((s) => s.close()));
    await rdap?.close();
    await pki?.cleanup();
  });

  type Item = { hostname: string; what: string; days_remaining: number; [k: string]: unknown };

  it("lists what expires within 30 days by default, soonest first, with what expires, by whom, and the grade", async () => {
    const res = await api.get("/reports/expiring");
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.within_days).to.equal(30);
    expect(res.body.expiring.map((i: Item) => [i.hostname, i.what, i.days_remaining])).to.deep.equal([
      ["gone.test", "registration", -1],
      ["soon.test", "certificate", 5],
      ["chain.test", "certificate", 10],
      ["regsoon.test", "registration", 12],
      ["later.test", "certificate", 20],
    ]);
    const [gone, soon, chain, regsoon] = res.body.expiring as Item[];
    expect(gone).to.include({ lapsed: true, registrar: "Harbour Registrar LLC", expires_at: days(200).toISOString() });
    expect(soon).to.deep.include({ subject: "CN=soon.test", issuer: "CN=Report Int, O=Report CA", tags: ["production"], lapsed: false, registrar: null });
    expect(soon!.grade).to.be.a("string");
    // The served chain's intermediate expires before the leaf: that is what the report names.
    expect(chain).to.include({ subject: "CN=Short Int", expires_at: days(10).toISOString() });
    expect(regsoon).to.include({ registrar: "Harbour Registrar LLC", subject: null, issuer: null, grade: null });
  });

  it("lists failing checks apart, and never a lapsed registration among them", async () => {
    const res = await api.get("/reports/expiring");
    expect(res.body.failing_checks.map((f: { hostname: string; check: string; reason: string }) => [f.hostname, f.check])).to.deep.equal([["regsoon.test", "ssl"]]);
    expect(res.body.failing_checks[0].message).to.be.a("string").and.not.equal("");
  });

  it("within_days widens or narrows the window; 0 leaves only what has expired or expires today", async () => {
    const wide = await api.get("/reports/expiring?within_days=365");
    expect(wide.body.expiring.map((i: Item) => `${i.hostname} ${i.what}`)).to.include.members(["far.test certificate", "soon.test registration", "chain.test registration"]);
    const none = await api.get("/reports/expiring?within_days=0");
    expect(none.body.expiring.map((i: Item) => i.hostname)).to.deep.equal(["gone.test"]);
    const edge = await api.get("/reports/expiring?within_days=20");
    expect(edge.body.expiring.map((i: Item) => i.hostname)).to.include("later.test");
    const before = await api.get("/reports/expiring?within_days=19");
    expect(before.body.expiring.map((i: Item) => i.hostname)).to.not.include("later.test");
  });

  it("leaves out paused domains and other users' domains", async () => {
    const res = await api.get("/reports/expiring?within_days=365");
    const hosts = res.body.expiring.map((i: Item) => i.hostname);
    expect(hosts).to.not.include("paused.test");
    expect(hosts).to.not.include("other.test");
  });

  it("answers CSV for Accept: text/csv, with the same items", async () => {
    const json = await api.get("/reports/expiring");
    const res = await fetch(`${t.url}/api/v1/reports/expiring`, { headers: { authorization: `Bearer ${key}`, accept: "text/csv" } });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/csv/);
    const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const expiring = records.filter((r) => r["section"] === "expiring");
    expect(expiring.map((r) => [r["hostname"], r["what"], Number(r["days_remaining"])])).to.deep.equal(
      (json.body.expiring as Item[]).map((i) => [i.hostname, i.what, i.days_remaining]),
    );
    expect(expiring.find((r) => r["hostname"] === "soon.test")).to.include({ tags: "production", issuer: "CN=Report Int, O=Report CA" });
    expect(records.filter((r) => r["section"] === "failing_check").map((r) => r["hostname"])).to.deep.equal(["regsoon.test"]);
  });

  it("bad input: a 400 naming within_days, a 406 for a type it cannot give, 401 without a key", async () => {
    for (const q of ["within_days=-1", "within_days=366", "within_days=abc", "within_days=1.5", "days=3"]) {
      const res = await api.get(`/reports/expiring?${q}`);
      expect(res.status, q).to.equal(400);
      expect(res.body.error, q).to.match(/within_days|days/);
    }
    const xml = await fetch(`${t.url}/api/v1/reports/expiring`, { headers: { authorization: `Bearer ${key}`, accept: "application/xml" } });
    expect(xml.status).to.equal(406);
    expect(((await xml.json()) as { error: string }).error).to.include("text/csv");
    expect((await t.client().get("/reports/expiring")).status).to.equal(401);
  });
});
