// Registration facts through the API and the alert policy (issue #10): a .org registry whose
// RDAP expiry lags the registrar's (auto-renewal) raises no "expires in 30 days" alert, and a
// registered domain whose registry later answers "no such domain" raises "Domain has expired".
// Local RDAP servers only; SSL checks fail harmlessly (nothing listens on the port).
import { expect } from "chai";
import { DAY_MS, ManualClock } from "../../src/shared/clock.js";
import { startRdapServer, unusedPort, writeBootstrapFile, type RunningServer } from "../support/registryServers.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS + 12 * 3_600_000).toISOString();

/** What the local registry and registrar say about each domain (changed by the tests). */
const registry = new Map<string, { status: number; expiry?: string; linked?: boolean }>();
const registrarExpiry = new Map<string, string>();

function domainObject(name: string, expiry: string | undefined, link?: string) {
  return {
    objectClassName: "domain",
    ldhName: name,
    events: [{ eventAction: "registration", eventDate: "2011-04-05T10:00:00Z" }, ...(expiry ? [{ eventAction: "expiration", eventDate: expiry }] : [])],
    entities: [{ objectClassName: "entity", roles: ["registrar"], vcardArray: ["vcard", [["fn", {}, "text", "Harbour Registrar LLC"]]] }],
    nameservers: [{ objectClassName: "nameserver", ldhName: "ns1.harbourlight.example" }],
    links: link ? [{ rel: "related", href: link, type: "application/rdap+json" }] : [],
  };
}

const nameOf = (path: string) => decodeURIComponent(path.replace(/^\/domain\//, "")).toLowerCase();

describe("Registration alerts through the API (e2e, local RDAP registry and registrar)", function () {
  this.timeout(30_000);
  const clock = new ManualClock(NOW);
  let registryServer: RunningServer & { baseUrl: string };
  let registrarServer: RunningServer & { baseUrl: string };
  let t: TestServer;
  let api: ApiClient;
  let sslPort: number;

  before(async () => {
    registrarServer = await startRdapServer((path) => ({ body: domainObject(nameOf(path), registrarExpiry.get(nameOf(path))) }));
    registryServer = await startRdapServer((path) => {
      const name = nameOf(path);
      const r = registry.get(name) ?? { status: 404 };
      if (r.status !== 200) return { status: r.status, body: { errorCode: r.status, title: "Not Found" } };
      return { body: domainObject(name, r.expiry, r.linked ? `${registrarServer.baseUrl}domain/${name}` : undefined) };
    });
    sslPort = await unusedPort();
    t = await startTestServer({
      clock,
      env: {
        SSLTRACKR_RDAP_BOOTSTRAP: writeBootstrapFile(["org"], registryServer.baseUrl),
        SSLTRACKR_RESOLVE: "www.quillbrook.org=127.0.0.1,www.fernhollow.org=127.0.0.1,lapsing.org=127.0.0.1,relapsing.org=127.0.0.1,neverheld.org=127.0.0.1",
        SSLTRACKR_CHECK_TIMEOUT_MS: "1000",
      },
    });
    api = t.client((await t.createUser()).key);
  });
  after(async () => {
    await t?.close();
    await registryServer?.close();
    await registrarServer?.close();
  });

  const addAndCheck = async (hostname: string) => {
    const created = await api.post("/domains", { hostname, port: sslPort });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    const checked = await api.post("/check", { domain_id: id });
    expect(checked.status, JSON.stringify(checked.body)).to.equal(200);
    return { id, whois: checked.body.whois };
  };
  const domainAlerts = async (id: string) =>
    ((await api.get(`/alerts?per_page=100&domain_id=${id}`)).body.data as Array<{ alert_type: string; domain_id: string; title: string; message: string; threshold_days: number | null }>)
      .filter((a) => a.domain_id === id && a.alert_type === "domain_expiry");

  it("takes the registrar's later expiry over RDAP: expiry_date next year, no 'Domain expires in 30 days' alert", async () => {
    registry.set("quillbrook.org", { status: 200, expiry: at(20), linked: true });
    registrarExpiry.set("quillbrook.org", at(385));
    const { id, whois } = await addAndCheck("www.quillbrook.org");
    expect(whois).to.deep.include({ expiry_date: at(385), days_remaining: 385 });
    const res = await api.get(`/domains/${id}/whois`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({
      registry_expiry_date: at(20),
      registrar_expiry_date: at(385),
      expiry_date: at(385),
      days_remaining: 385,
      supplementary_errors: [],
    });
    expect(res.body.field_sources).to.include({ expiry_date: "rdap_registrar", registry_expiry_date: "rdap_registry", registrar_expiry_date: "rdap_registrar" });
    expect(await domainAlerts(id)).to.deep.equal([]);
    expect(registrarServer.received).to.include("/domain/quillbrook.org");
  });

  it("still alerts when the registry links no registrar and expires in 20 days (the control case)", async () => {
    registry.set("fernhollow.org", { status: 200, expiry: at(20) });
    const { id, whois } = await addAndCheck("www.fernhollow.org");
    expect(whois).to.deep.include({ expiry_date: at(20), days_remaining: 20 });
    // One alert, for the 30-day threshold, in the real days left (issue #10, 3).
    const titles = (await domainAlerts(id)).map((a) => a.title);
    expect(titles).to.include("Domain expires in 20 days");
  });

  it("raises 'Domain has expired' when a registered domain's registry answers not_found", async () => {
    registry.set("lapsing.org", { status: 200, expiry: at(200) });
    const { id } = await addAndCheck("lapsing.org");
    expect(await domainAlerts(id)).to.deep.equal([]);
    registry.set("lapsing.org", { status: 404 });
    clock.advance(DAY_MS);
    const checked = await api.post("/check", { domain_id: id });
    expect(checked.body.whois.error).to.include({ reason: "not_found" });
    const alerts = await domainAlerts(id);
    expect(alerts.map((a) => [a.title, a.threshold_days, a.message])).to.deep.equal([
      ["Domain has expired", 0, `The registry no longer has a registration for lapsing.org (its registration was due to expire on ${at(200).slice(0, 10)}): it has lapsed or was deleted.`],
    ]);
    // The list shows the lapse as what it is: expired (before, the failing SSL check's error).
    expect((await api.get(`/domains/${id}`)).body.status).to.equal("expired");
    const expired = await api.get("/domains?status=expired");
    expect(expired.body.data.map((d: { hostname: string }) => d.hostname)).to.include("lapsing.org");
  });

  it("a lapsed registration that is registered again is no longer expired", async () => {
    registry.set("relapsing.org", { status: 200, expiry: at(200) });
    const { id } = await addAndCheck("relapsing.org");
    registry.set("relapsing.org", { status: 404 });
    clock.advance(DAY_MS);
    await api.post("/check", { domain_id: id });
    expect((await api.get(`/domains/${id}`)).body.status).to.equal("expired");
    registry.set("relapsing.org", { status: 200, expiry: at(565) });
    clock.advance(DAY_MS);
    await api.post("/check", { domain_id: id });
    // Not expired any more; the SSL check still fails here (nothing listens), hence error.
    expect((await api.get(`/domains/${id}`)).body.status).to.equal("error");
  });

  it("a domain the registry never had is a failed check (error), not an expired one", async () => {
    const { id } = await addAndCheck("neverheld.org");
    expect((await api.get(`/domains/${id}`)).body.status).to.equal("error");
    expect(await domainAlerts(id)).to.deep.equal([]);
  });
});
