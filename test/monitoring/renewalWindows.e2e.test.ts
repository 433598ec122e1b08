// Issue #14 through the API: a 6-day certificate from a CA that serves ACME ARI (a local ACME
// server, named in SSLTRACKR_ACME_DIRECTORIES), and 90-day and 1-day ones from a CA without
// ARI, served by local TLS servers. Relative expiry alerts, the renewal window and its cache (Retry-After
// holds for POST /check too), renewal_requested and renewal_overdue, renewal_due_at sorted and
// filtered, and the new alert settings.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { ariCertificateId } from "../../src/checkers/ari/certificateId.js";
import { formatSerial } from "../../src/checkers/ssl/certificate.js";
import { authorityKeyIdentifier } from "../../src/checkers/ssl/revocation/certificateParts.js";
import { DAY_MS, ManualClock } from "../../src/shared/clock.js";
import { startAcmeAriServer, type AcmeAriServer } from "../support/acmeAriServer.js";
import { expectError } from "../support/apiHelpers.js";
import { createPki, startTlsServer, type CertificateAuthority, type IssuedCert, type Pki, type RunningServer } from "../support/pki.js";
import { startRdapServer, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const HOUR_MS = 3_600_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR_MS);

interface AlertItem {
  alert_type: string;
  title: string;
  message: string;
  threshold_days: number | null;
  severity: string;
}

describe("certificate lifetimes and CA renewal windows through the API (e2e, local TLS, ACME ARI and RDAP servers)", function () {
  this.timeout(60_000);

  const clock = new ManualClock(NOW);
  let pki: Pki;
  let plainRoot: CertificateAuthority;
  let ari: AcmeAriServer;
  let rdap: RegistryServer & { baseUrl: string };
  let shortSite: RunningServer;
  let longSite: RunningServer;
  let daySite: RunningServer | undefined;
  let shortLeaf: IssuedCert;
  let longLeaf: IssuedCert;
  let t: TestServer;
  let api: ApiClient;
  let shortId: string;
  let longId: string;

  before(async () => {
    pki = await createPki();
    ari = await startAcmeAriServer();
    let acmeRoot: CertificateAuthority;
    [acmeRoot, plainRoot] = await Promise.all([
      pki.createRootCa({ cn: "ARI Root", subject: "/O=ARI Test Root/CN=ARI Root" }),
      pki.createRootCa({ cn: "Plain Root", subject: "/O=No ARI CA/CN=Plain Root" }),
    ]);
    const acmeIntermediate = await pki.createIntermediateCa(acmeRoot, { cn: "Test ACME R1", subject: "/O=Test ACME CA/CN=Test ACME R1" });
    // A 6-day certificate 4.5 days into its life: a third (2 days) remains before 1.5 days do.
    shortLeaf = await pki.createLeaf(acmeIntermediate, { cn: "short.test", sans: ["short.test"], notBefore: at(-108), notAfter: at(36) });
    longLeaf = await pki.createLeaf(plainRoot, { cn: "long.test", sans: ["long.test"], notBefore: at(-24), notAfter: at(-24 + 90 * 24) });
    shortSite = await startTlsServer({ leaf: shortLeaf, chain: [acmeIntermediate] });
    longSite = await startTlsServer({ leaf: longLeaf });
    const caFile = join(pki.dir, "roots.pem");
    await writeFile(caFile, acmeRoot.certPem + plainRoot.certPem);
    rdap = await startRdapServer((path) => ({
      body: {
        objectClassName: "domain",
        ldhName: decodeURIComponent(path.replace(/^\/domain\//, "")),
        events: [{ eventAction: "expiration", eventDate: at(24 * 300).toISOString() }],
      },
    }));
    t = await startTestServer({
      clock,
      env: {
        SSLTRACKR_RESOLVE: "short.test=127.0.0.1,long.test=127.0.0.1,day.test=127.0.0.1",
        SSLTRACKR_RDAP_BOOTSTRAP: writeBootstrapFile(["test"], rdap.baseUrl),
        SSLTRACKR_EXTRA_CA_FILE: caFile,
        SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
        SSLTRACKR_ACME_DIRECTORIES: JSON.stringify({ "Test ACME CA": ari.directoryUrl }),
      },
    });
    api = t.client((await t.createUser()).key);
    shortId = (await api.post("/domains", { hostname: "short.test", port: shortSite.port })).body.id as string;
    longId = (await api.post("/domains", { hostname: "long.test", port: longSite.port })).body.id as string;
  });

  after(async () => {
    await t?.close();
    for (const s of [shortSite, longSite, daySite, rdap, ari]) await s?.close();
    await pki?.cleanup();
  });

  const check = async (id: string) => {
    clock.advance(60_000);
    const res = await api.post("/check", { domain_id: id });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res;
  };
  const alertsOf = async (id: string): Promise<AlertItem[]> => (await api.get(`/alerts?domain_id=${id}&per_page=100`)).body.data as AlertItem[];

  it("asks the CA for the 6-day certificate's window under its RFC 9773 id, shows it, and alerts relative to the lifetime", async () => {
    ari.answer({ window: { start: at(10), end: at(20) }, retryAfter: "3600" });
    await check(shortId);
    const expectedId = ariCertificateId(authorityKeyIdentifier(shortLeaf.x509.raw), formatSerial(shortLeaf.x509.serialNumber));
    expect(expectedId).to.be.a("string");
    expect(ari.renewalInfoRequests()).to.deep.equal([expectedId]);

    const ssl = (await api.get(`/domains/${shortId}/ssl`)).body;
    expect(ssl.lifetime_days).to.equal(6);
    expect(ssl.renewal_window).to.deep.equal({ start: at(10).toISOString(), end: at(20).toISOString(), explanation_url: null, fetched_at: new Date(NOW.getTime() + 60_000).toISOString() });
    expect((await api.get(`/domains/${shortId}`)).body.renewal_due_at).to.equal(at(10).toISOString());

    const alerts = await alertsOf(shortId);
    expect(alerts.map((a) => [a.alert_type, a.title, a.threshold_days, a.severity])).to.deep.equal([["ssl_expiry", "SSL certificate expires in 1 day", null, "warning"]]);
    expect(alerts[0]!.message).to.contain("a third of its 6 days lifetime remains");
  });

  it("honours Retry-After for POST /check too: no second look-up within the hour, one after it", async () => {
    await check(shortId);
    await check(shortId);
    expect(ari.renewalInfoRequests()).to.have.length(1);
    clock.advance(HOUR_MS);
    await check(shortId);
    expect(ari.renewalInfoRequests()).to.have.length(2);
  });

  it("alerts renewal_requested (with the CA's explanation) when the window moves earlier, and renewal_overdue once its end has passed", async () => {
    clock.advance(HOUR_MS);
    ari.answer({ window: { start: at(-3), end: at(-1) }, explanationUrl: "https://ca.test/incidents/42", retryAfter: "3600" });
    await check(shortId);
    const alerts = await alertsOf(shortId);
    const requested = alerts.find((a) => a.alert_type === "renewal_requested");
    expect(requested?.message).to.contain("The CA explains why at https://ca.test/incidents/42");
    expect(alerts.find((a) => a.alert_type === "renewal_overdue")?.severity).to.equal("critical");
    expect((await api.get(`/domains/${shortId}/ssl`)).body.renewal_window).to.deep.include({ start: at(-3).toISOString(), explanation_url: "https://ca.test/incidents/42" });
    expect((await api.get(`/domains/${shortId}`)).body.renewal_due_at).to.equal(at(-3).toISOString());
    // Each fact once.
    clock.advance(HOUR_MS);
    await check(shortId);
    const again = await alertsOf(shortId);
    expect(again.filter((a) => a.alert_type.startsWith("renewal_"))).to.have.length(2);
  });

  it("keeps the last window when the CA fails, and does not ask again for 6 hours", async () => {
    clock.advance(HOUR_MS);
    ari.answer({ status: 500 });
    const before = ari.renewalInfoRequests().length;
    await check(shortId);
    await check(shortId);
    expect(ari.renewalInfoRequests()).to.have.length(before + 1);
    expect((await api.get(`/domains/${shortId}/ssl`)).body.renewal_window).to.deep.include({ start: at(-3).toISOString() });
  });

  it("without ARI for its issuer: no look-up, renewal_due_at two thirds into the lifetime, the day thresholds for a 90-day certificate", async () => {
    const asked = ari.requests.length;
    await check(longId);
    expect(ari.requests).to.have.length(asked);
    const ssl = (await api.get(`/domains/${longId}/ssl`)).body;
    expect(ssl).to.deep.include({ lifetime_days: 90, renewal_window: null });
    expect((await api.get(`/domains/${longId}`)).body.renewal_due_at).to.equal(new Date(at(-24).getTime() + 60 * DAY_MS).toISOString());
    expect(await alertsOf(longId)).to.deep.equal([]);
  });

  it("sorts and filters GET /domains by renewal_due_at", async () => {
    const unchecked = (await api.post("/domains", { hostname: "never.test", port: 1 })).body.id as string;
    const asc = (await api.get("/domains?sort=renewal_due_at&order=asc")).body.data.map((d: { id: string }) => d.id);
    expect(asc).to.deep.equal([shortId, longId, unchecked]);
    const desc = (await api.get("/domains?sort=renewal_due_at&order=desc")).body.data.map((d: { id: string }) => d.id);
    expect(desc).to.deep.equal([longId, shortId, unchecked]);
    const due = await api.get(`/domains?renewal_due_before=${encodeURIComponent(at(24).toISOString())}`);
    expect(due.body.data.map((d: { id: string; renewal_due_at: string }) => d.id)).to.deep.equal([shortId]);
    expectError(await api.get("/domains?renewal_due_before=tomorrow"), 400);
  });

  it("a 1-day certificate: nothing with half its day left (the day thresholds would say 'expires today'), a warning once a third remains, then 'has expired'", async () => {
    // Issued around the test clock, wherever the cases above left it (a few hours on): the
    // real time is inside the day too, so the handshake verifies, while the clock walks the day.
    const issued = clock.now().getTime();
    const dayLeaf = await pki.createLeaf(plainRoot, { cn: "day.test", sans: ["day.test"], notBefore: new Date(issued - 12 * HOUR_MS), notAfter: new Date(issued + 12 * HOUR_MS) });
    daySite = await startTlsServer({ leaf: dayLeaf });
    const dayId = (await api.post("/domains", { hostname: "day.test", port: daySite.port })).body.id as string;
    const brief = (alerts: AlertItem[]) => alerts.map((a) => [a.alert_type, a.title, a.threshold_days, a.severity]);

    await check(dayId); // 12 hours left
    expect((await api.get(`/domains/${dayId}/ssl`)).body.lifetime_days).to.equal(1);
    expect(await alertsOf(dayId)).to.deep.equal([]);

    clock.advance(4.5 * HOUR_MS);
    await check(dayId); // 7 hours 28 minutes left: under a third of 24 hours
    const renewal = await alertsOf(dayId);
    expect(brief(renewal)).to.deep.equal([["ssl_expiry", "SSL certificate expires in 7 hours", null, "warning"]]);
    expect(renewal[0]!.message).to.contain("a third of its 1 day lifetime remains");

    clock.advance(8 * HOUR_MS);
    await check(dayId); // expired half an hour ago
    const expired = await alertsOf(dayId);
    expect(brief(expired)).to.have.deep.members([
      ["ssl_expiry", "SSL certificate expires in 7 hours", null, "warning"],
      ["ssl_expiry", "SSL certificate has expired", 0, "critical"],
    ]);
    expect(expired).to.have.length(2);
  });

  it("extends the alert settings additively: defaults shown, certificate_changes merged field by field, bad values refused", async () => {
    const settings = (await api.get("/alert-settings")).body;
    expect(settings).to.deep.include({ ssl_relative_expiry: "auto", renewal_overdue: true, renewal_requested: true, check_failed_after: 3 });
    expect(settings.ssl_relative_expiry_fraction).to.be.closeTo(1 / 3, 1e-12);
    expect(settings.certificate_changes).to.deep.include({ routine_renewal: false, issuer_changed: true });
    const changed = await api.put("/alert-settings", { certificate_changes: { routine_renewal: true }, ssl_relative_expiry: "always" });
    expect(changed.status).to.equal(200);
    expect(changed.body.certificate_changes).to.deep.include({ routine_renewal: true, issuer_changed: true, moved_backwards: true });
    expect(changed.body).to.deep.include({ ssl_relative_expiry: "always", ssl_expiry_days: [30, 14, 7, 3, 1, 0] });
    expectError(await api.put("/alert-settings", { ssl_relative_expiry_fraction: 1.5 }), 400);
    expectError(await api.put("/alert-settings", { certificate_changes: { surprise: true } }), 400);
    expectError(await api.put("/alert-settings", { ssl_relative_expiry: "sometimes" }), 400);
  });
});
