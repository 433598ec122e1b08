// Issue #14 §3 through the API: a domain whose certificate is on its CA's CRL, or revoked at
// the OCSP responder its AIA names, shows `revocation: "revoked"` on GET /domains/{id}/ssl, is
// graded F and raises ssl_revoked once;
// manual checks (POST /check) use the cached CRL until its nextUpdate; and SSL results
// recorded before revocation was checked (SslChecked v2) read with the revocation facts null.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { createPki, startTlsServer, type Pki, type RunningServer } from "../support/pki.js";
import { startRevocationServer, type RevocationServer } from "../support/revocationServers.js";
import { startRdapServer, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { sslCheckOk } from "../support/checkFixtures.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";
import { DAY_MS } from "../../src/shared/clock.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

describe("revocation through the API (e2e, local TLS, CRL, OCSP and RDAP servers)", function () {
  this.timeout(60_000);

  let pki: Pki;
  let revokedSite: RunningServer;
  let goodSite: RunningServer;
  let ocspSite: RunningServer;
  let http: RevocationServer;
  let rdap: RegistryServer & { baseUrl: string };
  let t: TestServer;
  let api: ApiClient;
  let revokedFingerprint: string;

  before(async () => {
    pki = await createPki();
    http = await startRevocationServer();
    const root = await pki.createRootCa({ cn: "API Revocation Root" });
    const ca = await pki.createIntermediateCa(root, { cn: "API Revocation CA" });
    const crlUrl = http.url("/ca.crl");
    const [revoked, good, ocspOnly] = await Promise.all([
      pki.createLeaf(ca, { cn: "revoked.test", sans: ["revoked.test"], crlUrl }),
      pki.createLeaf(ca, { cn: "good.test", sans: ["good.test"], crlUrl }),
      // No CRL Distribution Point: only the AIA responder can tell.
      pki.createLeaf(ca, { cn: "ocsp-revoked.test", sans: ["ocsp-revoked.test"], ocspUrl: http.url("/ocsp") }),
    ]);
    revokedFingerprint = revoked.x509.fingerprint256.toLowerCase();
    await pki.revoke(ca, revoked, "keyCompromise");
    await pki.revoke(ca, ocspOnly, "superseded");
    http.route("/ocsp", { ocsp: (request) => pki.answerOcsp(ca, request) });
    http.route("/ca.crl", { crl: await pki.crl(ca, { nextUpdate: new Date(NOW.getTime() + DAY_MS) }) });
    [revokedSite, goodSite, ocspSite] = await Promise.all([
      startTlsServer({ leaf: revoked, chain: [ca], hsts: "max-age=31536000" }),
      startTlsServer({ leaf: good, chain: [ca], hsts: "max-age=31536000" }),
      startTlsServer({ leaf: ocspOnly, chain: [ca], hsts: "max-age=31536000" }),
    ]);
    const caFile = join(pki.dir, "trusted.pem");
    await writeFile(caFile, root.certPem);
    rdap = await startRdapServer((path) => ({
      body: {
        objectClassName: "domain",
        ldhName: decodeURIComponent(path.replace(/^\/domain\//, "")),
        events: [{ eventAction: "expiration", eventDate: new Date(NOW.getTime() + 300 * DAY_MS).toISOString() }],
      },
    }));
    t = await startTestServer({
      env: {
        SSLTRACKR_RESOLVE: "revoked.test=127.0.0.1,good.test=127.0.0.1,ocsp-revoked.test=127.0.0.1",
        SSLTRACKR_RDAP_BOOTSTRAP: writeBootstrapFile(["test"], rdap.baseUrl),
        SSLTRACKR_EXTRA_CA_FILE: caFile,
        SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
      },
    });
    api = t.client((await t.createUser()).key);
  });

  after(async () => {
    await t?.close();
    await Promise.all([revokedSite?.close(), goodSite?.close(), ocspSite?.close(), http?.close(), rdap?.close()]);
    await pki?.cleanup();
  });

  const projected = async () => {
    const head = await t.server.infra.eventStore.headPosition();
    if (head) await t.server.services.projections.waitFor(head);
  };

  it("a revoked certificate: revocation facts on GET /ssl, grade F, one ssl_revoked alert over several checks, the CRL fetched once", async () => {
    const created = await api.post("/domains", { hostname: "revoked.test", port: revokedSite.port });
    expect(created.status).to.equal(201);
    const id = created.body.id as string;
    for (let i = 0; i < 2; i++) expect((await api.post("/check", { domain_id: id })).status).to.equal(200);
    await projected();

    const ssl = await api.get(`/domains/${id}/ssl`);
    expect(ssl.status).to.equal(200);
    expect(ssl.body).to.deep.include({ revocation: "revoked", revocation_source: "crl", revocation_reason: "keyCompromise", grade: "F", chain_valid: false });
    expect(Date.parse(ssl.body.revoked_at)).to.be.closeTo(Date.now(), 10 * 60_000);
    expect(ssl.body.endpoints[0]).to.deep.include({ revocation: "revoked", revocation_source: "crl" });

    const alerts = await api.get(`/alerts?domain_id=${id}`);
    const revokedAlerts = alerts.body.data.filter((a: { alert_type: string }) => a.alert_type === "ssl_revoked");
    expect(revokedAlerts).to.have.length(1);
    expect(revokedAlerts[0]).to.deep.include({ severity: "critical", title: "SSL certificate has been revoked" });
    expect(alerts.body.data.map((a: { alert_type: string }) => a.alert_type)).to.not.include("ssl_invalid");

    // The domain was checked on creation too (SSLTRACKR_CHECK_ON_CREATE), then twice by hand: one CRL download.
    expect(http.requests("/ca.crl")).to.equal(1);
    expect(ssl.body.fingerprint_sha256).to.equal(revokedFingerprint);
  });

  it("a certificate its CRL does not list: good, from the CRL already held (shared across domains), no alert", async () => {
    const created = await api.post("/domains", { hostname: "good.test", port: goodSite.port });
    const id = created.body.id as string;
    expect((await api.post("/check", { domain_id: id })).status).to.equal(200);
    await projected();
    const ssl = await api.get(`/domains/${id}/ssl`);
    expect(ssl.body).to.deep.include({ revocation: "good", revocation_source: "crl", revocation_reason: null, revoked_at: null, grade: "A+" });
    expect((await api.get(`/alerts?domain_id=${id}`)).body.data).to.deep.equal([]);
    expect(http.requests("/ca.crl")).to.equal(1);
  });

  it("a certificate revoked at its OCSP responder (AIA, no CRL): the same facts from source ocsp, one ssl_revoked alert, the answer asked for once", async () => {
    const created = await api.post("/domains", { hostname: "ocsp-revoked.test", port: ocspSite.port });
    const id = created.body.id as string;
    for (let i = 0; i < 2; i++) expect((await api.post("/check", { domain_id: id })).status).to.equal(200);
    await projected();

    const ssl = await api.get(`/domains/${id}/ssl`);
    expect(ssl.body).to.deep.include({ revocation: "revoked", revocation_source: "ocsp", revocation_reason: "superseded", grade: "F", chain_valid: false });
    expect(Date.parse(ssl.body.revoked_at)).to.be.closeTo(Date.now(), 10 * 60_000);
    expect(ssl.body.endpoints[0]).to.deep.include({ revocation: "revoked", revocation_source: "ocsp" });

    const alerts = (await api.get(`/alerts?domain_id=${id}`)).body.data as { alert_type: string }[];
    expect(alerts.filter((a) => a.alert_type === "ssl_revoked")).to.have.length(1);
    expect(alerts.find((a) => a.alert_type === "ssl_revoked")).to.deep.include({ severity: "critical", title: "SSL certificate has been revoked" });
    expect(alerts.map((a) => a.alert_type)).to.not.include("ssl_invalid");
    // Kept until its nextUpdate (a day): the second check used the answer the first got.
    expect(http.requests("/ocsp")).to.equal(1);
    expect(http.requests("/ca.crl")).to.equal(1);
  });

  it("reads an SslChecked stored as v2 (no revocation facts) with them null in GET /ssl, /ssl/history and the domain history", async () => {
    const created = await api.post("/domains", { hostname: "legacy-v2.test", port: 443 });
    const id = created.body.id as string;
    const strip = <T extends object>(r: T) => (({ revocation: _r, revocation_source: _s, revocation_reason: _e, revoked_at: _a, ...rest }) => rest)(r as T & Record<string, unknown>);
    const current = sslCheckOk({ hostname: "legacy-v2.test", now: NOW });
    const v2 = { ...strip(current), endpoints: current.endpoints.map(strip) };
    const appended = await t.server.infra.eventStore.appendToStream(`domain-${id}`, [
      { id: randomUUID(), type: "SslChecked", data: { checkId: randomUUID(), domainId: id, trigger: "manual", result: v2 }, metadata: { correlationId: "v2-import", schemaVersion: 2 } },
    ]);
    await t.server.services.projections.waitFor(appended.position);

    const nulls = { revocation: null, revocation_source: null, revocation_reason: null, revoked_at: null };
    const ssl = await api.get(`/domains/${id}/ssl`);
    expect(ssl.status).to.equal(200);
    expect(ssl.body).to.deep.include({ subject: "CN=legacy-v2.test", ...nulls });
    expect(ssl.body.endpoints[0]).to.deep.include(nulls);
    expect((await api.get(`/domains/${id}/ssl/history`)).body.data[0].result).to.deep.include(nulls);
    const events = await api.get(`/domains/${id}/history`);
    expect(events.body.data.find((e: { type: string }) => e.type === "SslChecked").data.result).to.deep.include(nulls);
  });
});
