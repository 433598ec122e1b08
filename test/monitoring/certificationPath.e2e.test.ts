// Issue #10 §1 through the API: a server that sends an expired cross-signed copy of its root
// must not look expired (status, alerts) when the path browsers build is valid; and SSL results
// recorded before served certificates were kept (SslChecked v1) still read everywhere.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { createPki, startTlsServer, type IssuedCert, type Pki, type RunningServer } from "../support/pki.js";
import { startRdapServer, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { sslCheckOk } from "../support/checkFixtures.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";
import { DAY_MS } from "../../src/shared/clock.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS + 3_600_000);

describe("certification paths through the API (e2e, local TLS and RDAP servers)", function () {
  this.timeout(60_000);

  let pki: Pki;
  let site: RunningServer;
  let rdap: RegistryServer & { baseUrl: string };
  let t: TestServer;
  let api: ApiClient;
  let leaf: IssuedCert;
  let rootNewFingerprint: string;

  before(async () => {
    pki = await createPki();
    const [rootNew, rootOld] = await Promise.all([
      pki.createRootCa({ cn: "Root New" }),
      pki.createRootCa({ cn: "Root Old", notBefore: days(-4000), notAfter: days(-61) }),
    ]);
    rootNewFingerprint = rootNew.x509.fingerprint256.toLowerCase();
    const crossSigned = await pki.crossSign(rootOld, rootNew, { notBefore: days(-1000), notAfter: days(-61) });
    const intB = await pki.createIntermediateCa(rootNew, { cn: "Int B", notBefore: days(-10), notAfter: days(1000) });
    leaf = await pki.createLeaf(intB, { cn: "cross.test", sans: ["cross.test"], notBefore: days(-10), notAfter: days(90) });
    site = await startTlsServer({ leaf, chain: [intB, crossSigned], hsts: "max-age=31536000" });
    const caFile = join(pki.dir, "trusted.pem");
    await writeFile(caFile, rootNew.certPem);
    rdap = await startRdapServer((path) => ({
      body: {
        objectClassName: "domain",
        ldhName: decodeURIComponent(path.replace(/^\/domain\//, "")),
        events: [{ eventAction: "expiration", eventDate: days(300).toISOString() }],
      },
    }));
    t = await startTestServer({
      env: {
        SSLTRACKR_RESOLVE: "cross.test=127.0.0.1",
        SSLTRACKR_RDAP_BOOTSTRAP: writeBootstrapFile(["test"], rdap.baseUrl),
        SSLTRACKR_EXTRA_CA_FILE: caFile,
        SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
      },
    });
    api = t.client((await t.createUser()).key);
  });

  after(async () => {
    await t?.close();
    await site?.close();
    await rdap?.close();
    await pki?.cleanup();
  });

  const projected = async () => {
    const head = await t.server.infra.eventStore.headPosition();
    if (head) await t.server.services.projections.waitFor(head);
  };

  it("Root New cross-signed by an expired Root Old: no expiry alert, status not expired, the path and the served list in GET /ssl", async () => {
    const created = await api.post("/domains", { hostname: "cross.test", port: site.port });
    expect(created.status).to.equal(201);
    const id = created.body.id as string;
    const checked = await api.post("/check", { domain_id: id });
    expect(checked.status).to.equal(200);
    expect(checked.body.ssl).to.deep.include({ subject: "CN=cross.test", days_remaining: 90, chain_valid: true, grade: "A-" });
    await projected();

    const ssl = await api.get(`/domains/${id}/ssl`);
    expect(ssl.status).to.equal(200);
    expect(ssl.body.chain.map((c: { subject: string }) => c.subject)).to.deep.equal(["CN=cross.test", "CN=Int B", "CN=Root New"]);
    expect(ssl.body.chain[2].fingerprint_sha256).to.equal(rootNewFingerprint);
    expect(ssl.body.earliest_expiry).to.deep.include({ depth: 0, subject: "CN=cross.test", days_remaining: 90 });
    expect(ssl.body.served_certificates.map((c: { subject: string; days_remaining: number; on_path: boolean }) => [c.subject, c.days_remaining, c.on_path])).to.deep.equal([
      ["CN=cross.test", 90, true],
      ["CN=Int B", 1000, true],
      ["CN=Root New", -61, false],
    ]);
    expect(ssl.body.chain_issues.map((i: { code: string }) => i.code)).to.deep.equal(["expired_extra_certificates"]);
    expect(ssl.body.certification_path).to.deep.equal({ anchored: true, paths_found: 1, selected_by: "only_path", served_list: "as_sent" });

    const domain = await api.get(`/domains/${id}`);
    expect(domain.body).to.deep.include({ ssl_days_remaining: 90, status: "valid" });
    const alerts = await api.get(`/alerts?domain_id=${id}`);
    expect(alerts.body.data.map((a: { alert_type: string; title: string }) => `${a.alert_type}: ${a.title}`)).to.deep.equal([]);
  });

  it("reads an SslChecked stored as v1 (no served certificates) in GET /ssl, /ssl/history and the domain history", async () => {
    const created = await api.post("/domains", { hostname: "legacy.test", port: 443 });
    const id = created.body.id as string;
    const current = sslCheckOk({ hostname: "legacy.test", now: NOW });
    const v1Endpoint = (({ served_certificates: _s, chain_issues: _c, certification_path: _p, ...rest }) => rest)(current.endpoints[0] as typeof current);
    const { served_certificates: _s, chain_issues: _c, certification_path: _p, ...v1 } = { ...current, endpoints: [v1Endpoint] };
    const appended = await t.server.infra.eventStore.appendToStream(`domain-${id}`, [
      {
        id: randomUUID(),
        type: "SslChecked",
        data: { checkId: randomUUID(), domainId: id, trigger: "manual", result: v1 },
        metadata: { correlationId: "v1-import", schemaVersion: 1 },
      },
    ]);
    await t.server.services.projections.waitFor(appended.position);

    const ssl = await api.get(`/domains/${id}/ssl`);
    expect(ssl.status).to.equal(200);
    expect(ssl.body).to.deep.include({ subject: "CN=legacy.test", served_certificates: null, chain_issues: null, certification_path: null });
    expect(ssl.body.endpoints[0]).to.deep.include({ served_certificates: null, chain_issues: null, certification_path: null });
    const history = await api.get(`/domains/${id}/ssl/history`);
    expect(history.status).to.equal(200);
    expect(history.body.data[0].result).to.deep.include({ served_certificates: null, certification_path: null });
    const events = await api.get(`/domains/${id}/history`);
    const recorded = events.body.data.find((e: { type: string }) => e.type === "SslChecked");
    expect(recorded.data.result).to.deep.include({ served_certificates: null, chain_issues: null });
  });
});
