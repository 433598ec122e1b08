// The monitoring loop through the HTTP API, with real checks against local servers: HTTPS
// servers with certificates from a throwaway CA (trusted through SSLTRACKR_EXTRA_CA_FILE),
// an RDAP server for .test and a WHOIS server for .example. A ManualClock drives the app, so
// days remaining, statuses and rate-limit windows are exact. Nothing leaves 127.0.0.0/8.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { ISO_INSTANT, UUID, expectError } from "../support/apiHelpers.js";
import { eventually } from "../support/eventually.js";
import { createPki, startStallingServer, startTlsServer, type CertificateAuthority, type IssuedCert, type Pki, type RunningServer } from "../support/pki.js";
import { startRdapServer, startWhoisServer, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { startTestServer, type ApiClient, type ApiResponse, type TestServer } from "../support/testServer.js";
import { DAY_MS, ManualClock } from "../../src/shared/clock.js";

// Whole seconds: certificate dates have no milliseconds.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const HOUR_MS = 3_600_000;
/** NOW plus whole days and some hours (half a day keeps days_remaining off the boundary). */
const at = (days: number, hours = 12) => new Date(NOW.getTime() + days * DAY_MS + hours * HOUR_MS);
const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

const SSL_SPEC_FIELDS = ["id", "domain_id", "subject", "issuer", "valid_from", "valid_to", "days_remaining", "serial_number", "tls_version", "chain_valid", "hsts", "sans", "grade", "checked_at"];
const WHOIS_SPEC_FIELDS = ["id", "domain_id", "registrar", "created_date", "expiry_date", "days_remaining", "dnssec", "nameservers", "checked_at"];
const ALERT_FIELDS = ["id", "domain_id", "hostname", "alert_type", "severity", "title", "message", "threshold_days", "triggered_at"];
const CHECK_SSL_FIELDS = ["subject", "issuer", "valid_to", "days_remaining", "grade", "tls_version", "chain_valid", "checked_at"];
const CHECK_WHOIS_FIELDS = ["registrar", "expiry_date", "days_remaining", "checked_at"];
const DEFAULT_SETTINGS = {
  ssl_expiry_days: [30, 14, 7, 3, 1, 0],
  domain_expiry_days: [30, 14, 7, 3, 1, 0],
  check_failed_after: 3,
  // Issue #14's additions.
  ssl_relative_expiry: "auto",
  ssl_relative_expiry_fraction: 1 / 3,
  certificate_changes: {
    routine_renewal: false,
    issuer_changed: true,
    names_removed: true,
    names_added: true,
    key_weakened: true,
    key_type_changed: true,
    moved_backwards: true,
  },
  renewal_overdue: true,
  renewal_requested: true,
  // Issue #15's addition.
  time_zone: "UTC",
};
const HSTS = "max-age=31536000; includeSubDomains";

// --- Local registries: what each registrable domain's registration says ---

interface Registration {
  created: Date;
  expiry: Date;
}
const registrations = new Map<string, Registration>();
const defaultRegistration = (): Registration => ({ created: new Date("2020-03-15T00:00:00.000Z"), expiry: at(300) });
const registrationOf = (domain: string) => registrations.get(domain) ?? defaultRegistration();

const rdapAnswer = (domain: string) => {
  const r = registrationOf(domain);
  return {
    objectClassName: "domain",
    ldhName: domain,
    status: ["active"],
    events: [
      { eventAction: "registration", eventDate: r.created.toISOString() },
      { eventAction: "expiration", eventDate: r.expiry.toISOString() },
    ],
    entities: [{ objectClassName: "entity", roles: ["registrar"], vcardArray: ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Gandi SAS"]]] }],
    nameservers: [{ objectClassName: "nameserver", ldhName: `NS1.${domain.toUpperCase()}` }, { objectClassName: "nameserver", ldhName: `ns2.${domain}` }],
    secureDNS: { delegationSigned: false },
  };
};

const whoisAnswer = (domain: string) => {
  const r = registrationOf(domain);
  return [
    `Domain Name: ${domain.toUpperCase()}`,
    "Registrar: Example Registrar, Inc.",
    `Creation Date: ${r.created.toISOString()}`,
    `Registry Expiry Date: ${r.expiry.toISOString()}`,
    `Name Server: NS1.${domain.toUpperCase()}`,
    `Name Server: NS2.${domain.toUpperCase()}`,
    "DNSSEC: signedDelegation",
    "",
  ].join("\r\n");
};

// --- Shared fixtures of the file: the CA, the registries, one HTTPS server per site ---

let pki: Pki;
let intermediate: CertificateAuthority;
let caFile: string;
let rdap: RegistryServer & { baseUrl: string };
let whois: RegistryServer;
let bootstrapFile: string;

before(async function () {
  this.timeout(30_000);
  pki = await createPki();
  const root = await pki.createRootCa({ cn: "SSLTrackr E2E Root" });
  intermediate = await pki.createIntermediateCa(root, { cn: "SSLTrackr E2E CA" });
  caFile = join(pki.dir, "extra-ca.pem");
  await writeFile(caFile, root.certPem);
  rdap = await startRdapServer((path) => ({ body: rdapAnswer(decodeURIComponent(path.replace(/^\/domain\//, "")).toLowerCase()) }));
  whois = await startWhoisServer((query) => ({ body: whoisAnswer(query.trim().toLowerCase()) }));
  bootstrapFile = writeBootstrapFile(["test"], rdap.baseUrl);
});

after(async () => {
  await rdap?.close();
  await whois?.close();
  await pki?.cleanup();
});

/** An HTTPS site on 127.0.0.1 whose certificate can be swapped (same port), stopped or stalled. */
class Site {
  private server: RunningServer | undefined;
  private constructor(
    readonly hostname: string,
    readonly port: number,
    server: RunningServer,
  ) {
    this.server = server;
  }

  static async start(hostname: string, leaf: IssuedCert): Promise<Site> {
    const server = await startTlsServer({ leaf, chain: [intermediate], hsts: HSTS });
    return new Site(hostname, server.port, server);
  }

  async serve(leaf: IssuedCert): Promise<void> {
    await this.stop();
    this.server = await startTlsServer({ leaf, chain: [intermediate], hsts: HSTS, port: this.port });
  }

  /** Accepts connections but never completes a handshake. */
  async stall(): Promise<void> {
    await this.stop();
    this.server = await startStallingServer({ port: this.port });
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}

const leafFor = (hostname: string, notAfter: Date, extra: { serial?: string; notBefore?: Date; sans?: string[] } = {}) =>
  pki.createLeaf(intermediate, { cn: hostname, sans: [hostname], notBefore: at(-30, 0), notAfter, ...extra });

/** The app's settings for real checks against this file's local servers. */
const checkEnv = (hostnames: string[], extra: Record<string, string> = {}) => ({
  SSLTRACKR_RESOLVE: hostnames.map((h) => `${h}=127.0.0.1`).join(","),
  SSLTRACKR_RDAP_BOOTSTRAP: bootstrapFile,
  SSLTRACKR_WHOIS_SERVERS: `example=127.0.0.1:${whois.port}`,
  SSLTRACKR_EXTRA_CA_FILE: caFile,
  SSLTRACKR_CHECK_TIMEOUT_MS: "1000",
  ...extra,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ok = <T>(res: ApiResponse<T>, status = 200): T => {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  return res.body;
};

async function createDomain(api: ApiClient, site: Site): Promise<string> {
  return ok(await api.post("/domains", { hostname: site.hostname, port: site.port }), 201).id as string;
}

/**
 * Waits until the checks started by creating the domain are recorded (ok or failed) and every
 * read model (alerts included) has projected everything recorded so far.
 */
async function firstChecksRecorded(t: TestServer, api: ApiClient, id: string): Promise<void> {
  for (const kind of ["ssl", "whois"]) {
    await eventually(`the first ${kind} check of ${id}`, async () => {
      const res = await api.get(`/domains/${id}/${kind}/history`);
      return res.status === 200 && res.body.pagination.total > 0;
    }, { intervalMs: 50 });
  }
  const head = await t.server.infra.eventStore.headPosition();
  if (head) await t.server.services.projections.waitFor(head);
}

interface Alert {
  alert_type: string;
  hostname: string;
  threshold_days: number | null;
  severity: string;
  title: string;
  message: string;
  triggered_at: string;
}

async function allAlerts(api: ApiClient, query = ""): Promise<Alert[]> {
  return ok(await api.get(`/alerts?per_page=100${query}`)).data;
}

/** [alert_type, threshold_days] of each alert, sorted: alerts of one check share triggered_at. */
const kinds = (alerts: { alert_type: string; threshold_days: number | null }[]) =>
  alerts.map((a) => `${a.alert_type}:${a.threshold_days}`).sort();

describe("Monitoring loop through the API (e2e, local TLS and registry servers)", function () {
  this.timeout(30_000);

  describe("checks, alerts, manual checks, failures and alert settings", () => {
    const clock = new ManualClock(NOW);
    let t: TestServer;
    let shop: Site;
    let expired: Site;
    let flaky: Site;
    let limits: Site;
    let tuned: Site;
    let soon: Site;
    const leafValidTo = at(10);

    /** POST /check a minute later than the last one (so "the latest check" is unambiguous). */
    const check = async (api: ApiClient, id: string) => {
      clock.advance(60_000);
      return ok(await api.post("/check", { domain_id: id }));
    };

    before(async () => {
      const [shopLeaf, expiredLeaf, flakyLeaf, limitsLeaf, tunedLeaf, soonLeaf] = await Promise.all([
        leafFor("www.shop.test", leafValidTo, { serial: "03a1b2c3d4", sans: ["www.shop.test", "shop.test"] }),
        leafFor("expired.test", at(-2), { notBefore: at(-92, 0) }),
        leafFor("flaky.test", at(60)),
        leafFor("limits.test", at(60)),
        leafFor("tuned.test", at(40)),
        leafFor("soon.test", at(4)),
      ]);
      [shop, expired, flaky, limits, tuned, soon] = await Promise.all([
        Site.start("www.shop.test", shopLeaf),
        Site.start("expired.test", expiredLeaf),
        Site.start("flaky.test", flakyLeaf),
        Site.start("limits.test", limitsLeaf),
        Site.start("tuned.test", tunedLeaf),
        Site.start("soon.test", soonLeaf),
      ]);
      registrations.set("shop.test", { created: new Date("2020-03-15T00:00:00.000Z"), expiry: at(20) });
      t = await startTestServer({
        clock,
        env: checkEnv([shop, expired, flaky, limits, tuned, soon].map((s) => s.hostname), { SSLTRACKR_CHECK_ON_CREATE: "true" }),
      });
    });
    after(async () => {
      await t?.close();
      await Promise.all([shop, expired, flaky, limits, tuned, soon].map((s) => s?.stop()));
    });

    it("raises one alert for a certificate with 4 days left on its first check, saying 4 days; the thresholds passed over never fire", async () => {
      const api = t.client((await t.createUser()).key);
      const id = await createDomain(api, soon);
      await firstChecksRecorded(t, api, id);
      const first = await allAlerts(api, `&domain_id=${id}`);
      expect(first).to.have.length(1);
      expect(first[0]).to.include({
        alert_type: "ssl_expiry",
        threshold_days: 7,
        severity: "critical",
        title: "SSL certificate expires in 4 days",
        message: `The SSL certificate for soon.test expires on ${dateOnly(at(4))}. 4 days remaining.`,
      });
      // Re-checks before the next threshold raise nothing (30 and 14 were recorded as handled)...
      await check(api, id);
      expect(await allAlerts(api, `&domain_id=${id}`)).to.have.length(1);
      // ...and the next threshold alerts on its own, in its real words.
      clock.set(at(1, 0));
      try {
        await check(api, id);
        const now = await allAlerts(api, `&domain_id=${id}`);
        expect(kinds(now)).to.deep.equal(["ssl_expiry:3", "ssl_expiry:7"]);
        expect(now[0]).to.include({ threshold_days: 3, title: "SSL certificate expires in 3 days" });
      } finally {
        clock.set(NOW);
      }
    });

    describe("a domain checked on creation (one flow: each step builds on the previous)", () => {
      let api: ApiClient;
      let stranger: ApiClient;
      let shopId: string;
      let expiredId: string;

      before(async () => {
        api = t.client((await t.createUser()).key);
        stranger = t.client((await t.createUser()).key);
        shopId = await createDomain(api, shop);
        expiredId = await createDomain(api, expired);
      });

      it("records the automatic checks: GET /domains/{id}/ssl has the spec's fields, with the served certificate's values", async () => {
        const ssl = await eventually("the first SSL check", async () => {
          const res = await api.get(`/domains/${shopId}/ssl`);
          return res.status === 200 ? res.body : undefined;
        }, { intervalMs: 50 });
        expect(ssl).to.include.all.keys(...SSL_SPEC_FIELDS);
        expect(ssl).to.deep.include({
          domain_id: shopId,
          subject: "CN=www.shop.test",
          issuer: "CN=SSLTrackr E2E CA",
          valid_from: at(-30, 0).toISOString(),
          valid_to: leafValidTo.toISOString(),
          days_remaining: 10,
          serial_number: "03:a1:b2:c3:d4",
          tls_version: "TLSv1.3",
          chain_valid: true,
          hsts: true,
          sans: ["www.shop.test", "shop.test"],
          grade: "A+",
          checked_at: NOW.toISOString(),
        });
        expect(ssl.id).to.match(UUID);
        expect(ssl.checked_at).to.match(ISO_INSTANT);
      });

      it("records the registration: GET /domains/{id}/whois has the spec's fields (RDAP of the registrable domain)", async () => {
        const res = await eventually("the first WHOIS check", async () => {
          const r = await api.get(`/domains/${shopId}/whois`);
          return r.status === 200 ? r : undefined;
        }, { intervalMs: 50 });
        expect(res.body).to.include.all.keys(...WHOIS_SPEC_FIELDS);
        expect(res.body).to.deep.include({
          domain_id: shopId,
          registrar: "Gandi SAS",
          created_date: "2020-03-15T00:00:00.000Z",
          expiry_date: at(20).toISOString(),
          days_remaining: 20,
          dnssec: false,
          nameservers: ["ns1.shop.test", "ns2.shop.test"],
          checked_at: NOW.toISOString(),
        });
        expect(res.body.id).to.match(UUID);
        expect(rdap.received).to.include("/domain/shop.test");
      });

      it("shows the results on the domain: ssl_grade, days remaining and status", async () => {
        await firstChecksRecorded(t, api, expiredId);
        expect(ok(await api.get(`/domains/${shopId}`))).to.deep.include({
          ssl_grade: "A+",
          ssl_days_remaining: 10,
          whois_days_remaining: 20,
          status: "warning",
        });
        // Expired a day and a half ago: days_remaining is rounded down, like every days_remaining.
        expect(ok(await api.get(`/domains/${expiredId}`))).to.deep.include({ ssl_grade: "T", ssl_days_remaining: -2, status: "expired" });
      });

      it("raised one SSL alert (14 days, the tightest threshold crossed; 30 passed over) and the 30-day domain alert, stating the real days left", async () => {
        await firstChecksRecorded(t, api, shopId);
        const body = ok(await api.get(`/alerts?domain_id=${shopId}`));
        expect(body.pagination).to.deep.equal({ page: 1, per_page: 20, total: 2, total_pages: 1 });
        for (const alert of body.data) {
          expect(alert).to.have.all.keys(...ALERT_FIELDS, "state", "acknowledged_at", "resolved_at");
          expect(alert.id).to.match(UUID);
          expect(alert).to.include({ domain_id: shopId, hostname: "www.shop.test", triggered_at: NOW.toISOString() });
        }
        const byThreshold = (type: string, days: number) => body.data.find((a: { alert_type: string; threshold_days: number }) => a.alert_type === type && a.threshold_days === days);
        const sslDate = dateOnly(leafValidTo);
        expect(byThreshold("ssl_expiry", 14)).to.include({
          severity: "warning",
          title: "SSL certificate expires in 10 days",
          message: `The SSL certificate for www.shop.test expires on ${sslDate}. 10 days remaining.`,
        });
        expect(byThreshold("domain_expiry", 30)).to.include({
          severity: "warning",
          title: "Domain expires in 20 days",
          message: `The domain shop.test expires on ${dateOnly(at(20))}. 20 days remaining.`,
        });
      });

      it("raises one 'has expired' alert for an expired certificate (not one per threshold, not also 'not valid')", async () => {
        const alerts = await allAlerts(api, `&domain_id=${expiredId}`);
        expect(alerts).to.have.length(1);
        expect(alerts[0]).to.include({
          alert_type: "ssl_expiry",
          severity: "critical",
          threshold_days: 0,
          title: "SSL certificate has expired",
          // at(-2) is a day and a half before NOW: one whole day since.
          message: `The SSL certificate for expired.test expired on ${dateOnly(at(-2))}. 1 day ago.`,
        });
      });

      it("filters alerts by domain_id, paginates them, and shows them to their owner only", async () => {
        const all = ok(await api.get("/alerts"));
        expect(all.pagination).to.deep.equal({ page: 1, per_page: 20, total: 3, total_pages: 1 });
        const page1 = ok(await api.get("/alerts?per_page=2&page=1"));
        const page2 = ok(await api.get("/alerts?per_page=2&page=2"));
        expect(page1.pagination).to.deep.equal({ page: 1, per_page: 2, total: 3, total_pages: 2 });
        expect(page2.pagination).to.deep.equal({ page: 2, per_page: 2, total: 3, total_pages: 2 });
        expect(page1.data).to.have.length(2);
        expect(page2.data).to.have.length(1);
        const ids = [...page1.data, ...page2.data].map((a: { id: string }) => a.id);
        expect(new Set(ids)).to.deep.equal(new Set(all.data.map((a: { id: string }) => a.id)));
        expect(ok(await stranger.get("/alerts")).pagination.total).to.equal(0);
        expect(ok(await stranger.get(`/alerts?domain_id=${shopId}`)).data).to.deep.equal([]);
        expectError(await api.get("/alerts?domain_id=not-a-uuid"), 400);
        expectError(await api.get("/alerts?per_page=101"), 400);
      });

      it("POST /check answers {ssl, whois} with the spec's fields, and re-checking raises no alert again", async () => {
        const body = await check(api, shopId);
        expect(body).to.have.all.keys("ssl", "whois");
        expect(body.ssl).to.have.all.keys(...CHECK_SSL_FIELDS);
        expect(body.whois).to.have.all.keys(...CHECK_WHOIS_FIELDS);
        const checkedAt = clock.now().toISOString();
        expect(body.ssl).to.deep.equal({
          subject: "CN=www.shop.test",
          issuer: "CN=SSLTrackr E2E CA",
          valid_to: leafValidTo.toISOString(),
          days_remaining: 10,
          grade: "A+",
          tls_version: "TLSv1.3",
          chain_valid: true,
          checked_at: checkedAt,
        });
        expect(body.whois).to.deep.equal({ registrar: "Gandi SAS", expiry_date: at(20).toISOString(), days_remaining: 20, checked_at: checkedAt });
        expect(kinds(await allAlerts(api, `&domain_id=${shopId}`))).to.deep.equal(["domain_expiry:30", "ssl_expiry:14"]);
      });

      it("names who asked for a manual check in the domain's history (the API key), and nobody for the checks on creation", async () => {
        const keyId = (await api.get("/api-keys")).body.data[0].id as string;
        const history = ok(await api.get(`/domains/${shopId}/history?per_page=100`));
        const checks = (history.data as { type: string; api_key_id?: string | null; correlation_id: string }[]).filter((e) =>
          ["SslChecked", "WhoisChecked"].includes(e.type),
        );
        const [onCreate, manual] = [checks.slice(0, 2), checks.slice(2, 4)];
        expect(onCreate.map((e) => e.api_key_id ?? null)).to.deep.equal([null, null]);
        expect(manual.map((e) => e.api_key_id)).to.deep.equal([keyId, keyId]);
      });

      it("re-arms the thresholds for a renewed certificate, and says how the certificate changed (issue #14: a name dropped is unexpected)", async () => {
        await shop.serve(await leafFor("www.shop.test", at(90)));
        const renewed = await check(api, shopId);
        expect(renewed.ssl.days_remaining).to.equal(90);
        const afterRenewal = await allAlerts(api, `&domain_id=${shopId}`);
        expect(kinds(afterRenewal)).to.deep.equal(["certificate_changed:null", "domain_expiry:30", "ssl_expiry:14"]);
        expect(afterRenewal[0]).to.include({
          alert_type: "certificate_changed",
          severity: "warning",
          title: "SSL certificate changed unexpectedly",
          message: `www.shop.test now serves a new SSL certificate issued by CN=SSLTrackr E2E CA, valid until ${dateOnly(at(90))}: no longer covers shop.test.`,
        });

        // Later another certificate, 10 days from expiry again but with its own valid_to: it alerts
        // afresh. It adds a name (informational); the same names again would be a routine renewal.
        const later = at(10, 18);
        await shop.serve(await leafFor("www.shop.test", later, { sans: ["www.shop.test", "api.shop.test"] }));
        const second = await check(api, shopId);
        expect(second.ssl.valid_to).to.equal(later.toISOString());
        const afterSecond = await allAlerts(api, `&domain_id=${shopId}`);
        expect(kinds(afterSecond)).to.deep.equal([
          "certificate_changed:null",
          "certificate_changed:null",
          "domain_expiry:30",
          "ssl_expiry:14",
          "ssl_expiry:14",
        ]);
        // Newest first: the two alerts of this check lead the list.
        const fresh = afterSecond.slice(0, 2);
        for (const a of fresh) expect(a.triggered_at).to.equal(second.ssl.checked_at);
        expect(fresh.map((a) => a.title).sort()).to.deep.equal(["SSL certificate changed", "SSL certificate expires in 10 days"]);

        await check(api, shopId);
        expect(await allAlerts(api, `&domain_id=${shopId}`)).to.have.length(5);
      });

      it("paginates GET /domains/{id}/ssl/history and /whois/history, newest first", async () => {
        // 1 check on creation + 4 through POST /check.
        const p1 = ok(await api.get(`/domains/${shopId}/ssl/history?per_page=2`));
        expect(p1.pagination).to.deep.equal({ page: 1, per_page: 2, total: 5, total_pages: 3 });
        const p3 = ok(await api.get(`/domains/${shopId}/ssl/history?per_page=2&page=3`));
        expect(p3.pagination).to.deep.equal({ page: 3, per_page: 2, total: 5, total_pages: 3 });
        expect(p3.data).to.have.length(1);
        expect(p3.data[0]).to.include({ outcome: "ok", trigger: "domain_added", checked_at: NOW.toISOString() });
        expect(p1.data.map((c: { trigger: string }) => c.trigger)).to.deep.equal(["manual", "manual"]);
        const times = p1.data.map((c: { checked_at: string }) => Date.parse(c.checked_at));
        expect(times[0]).to.be.greaterThan(times[1]);
        for (const item of [...p1.data, ...p3.data]) {
          expect(item).to.include.all.keys("id", "outcome", "trigger", "checked_at", "result");
          expect(item.id).to.match(UUID);
        }
        expect(p1.data[0].result).to.deep.include({ outcome: "ok", hostname: "www.shop.test", valid_to: at(10, 18).toISOString() });

        const whoisPage = ok(await api.get(`/domains/${shopId}/whois/history?per_page=4&page=2`));
        expect(whoisPage.pagination).to.deep.equal({ page: 2, per_page: 4, total: 5, total_pages: 2 });
        expect(whoisPage.data).to.have.length(1);
        expect(whoisPage.data[0]).to.include({ outcome: "ok", trigger: "domain_added" });

        expectError(await stranger.get(`/domains/${shopId}/ssl/history`), 404, "Domain not found");
        expectError(await api.get(`/domains/${shopId}/ssl/history?per_page=0`), 400);
      });

      it("answers 404 for another user's domain on GET /domains/{id}/ssl and /whois", async () => {
        expectError(await stranger.get(`/domains/${shopId}/ssl`), 404, "Domain not found");
        expectError(await stranger.get(`/domains/${shopId}/whois`), 404, "Domain not found");
      });
    });

    describe("POST /check", () => {
      it("answers 404 for another user's or an unknown domain, and 400 for a bad body", async () => {
        const owner = t.client((await t.createUser()).key);
        const other = t.client((await t.createUser()).key);
        const id = await createDomain(owner, limits);
        await firstChecksRecorded(t, owner, id);
        expectError(await other.post("/check", { domain_id: id }), 404, "Domain not found");
        expectError(await owner.post("/check", { domain_id: "00000000-0000-4000-8000-000000000000" }), 404, "Domain not found");
        for (const bad of [{}, { domain_id: "not-a-uuid" }, { domain_id: id, extra: true }, { domain_id: 42 }]) {
          expectError(await owner.post("/check", bad), 400);
        }
        expectError(await owner.request("POST", "/check", "{not json", { "content-type": "application/json" }), 400);
      });

      it("allows 10 requests per minute per user, then 429 with the spec's error and Retry-After", async () => {
        const limited = t.client((await t.createUser()).key);
        const other = t.client((await t.createUser()).key);
        const id = await createDomain(limited, limits);
        await firstChecksRecorded(t, limited, id);
        // A malformed request (400) uses no quota (issue 11); every valid one counts, whatever its
        // answer: 1 unknown domain, 9 checks.
        expectError(await limited.post("/check", {}), 400);
        expectError(await limited.post("/check", { domain_id: "bad" }), 400);
        expectError(await limited.post("/check", { domain_id: "00000000-0000-4000-8000-000000000000" }), 404);
        for (let i = 0; i < 9; i++) expect((await limited.post("/check", { domain_id: id })).status, `check ${i + 1}`).to.equal(200);
        const refused = await limited.post("/check", { domain_id: id });
        expectError(refused, 429, "Rate limit exceeded. Try again in 60 seconds.");
        expect(refused.headers.get("retry-after")).to.equal("60");
        // Per user: someone else is not limited.
        expectError(await other.post("/check", {}), 400);
        // A minute later the window has passed.
        clock.advance(60_000);
        expect((await limited.post("/check", { domain_id: id })).status).to.equal(200);
      });
    });

    describe("failed checks", () => {
      it("records failures (history, status error) and raises check_failed once, after 3 in a row", async () => {
        const api = t.client((await t.createUser()).key);
        const id = await createDomain(api, flaky);
        await firstChecksRecorded(t, api, id);
        expect(ok(await api.get(`/domains/${id}`)).status).to.equal("valid");

        await flaky.stop();
        const first = await check(api, id);
        expect(first.ssl).to.deep.include({ subject: null, grade: null, days_remaining: null, chain_valid: null });
        expect(first.ssl.error).to.include({ reason: "connection_refused" });
        expect(first.whois.days_remaining).to.equal(300);
        const history = ok(await api.get(`/domains/${id}/ssl/history`));
        expect(history.data.map((c: { outcome: string }) => c.outcome)).to.deep.equal(["failed", "ok"]);
        expect(ok(await api.get(`/domains/${id}`))).to.deep.include({ status: "error", ssl_days_remaining: 60 });
        expect(ok(await api.get("/domains?status=error")).data.map((d: { id: string }) => d.id)).to.deep.equal([id]);
        // The last good certificate stays readable, with the failure after it.
        const latest = ok(await api.get(`/domains/${id}/ssl`));
        expect(latest).to.include({ subject: "CN=flaky.test", days_remaining: 60 });
        expect(latest.last_failure).to.include({ reason: "connection_refused" });

        await flaky.stall();
        const second = await check(api, id);
        expect(second.ssl.error.reason).to.equal("handshake_timeout");
        expect(await allAlerts(api)).to.deep.equal([]);

        await flaky.stop();
        await check(api, id);
        const alerts = await allAlerts(api);
        expect(alerts).to.have.length(1);
        expect(alerts[0]).to.include({
          alert_type: "check_failed",
          severity: "critical",
          threshold_days: null,
          title: "SSL check failing",
        });
        expect(alerts[0]!.message).to.match(/^The SSL check for flaky\.test failed 3 times in a row: /);

        await check(api, id);
        expect(await allAlerts(api)).to.have.length(1);

        await flaky.serve(await leafFor("flaky.test", at(60)));
        await check(api, id);
        expect(ok(await api.get(`/domains/${id}`)).status).to.equal("valid");
        expect(ok(await api.get(`/domains/${id}/ssl/history`)).data.map((c: { outcome: string }) => c.outcome)).to.deep.equal([
          "ok",
          "failed",
          "failed",
          "failed",
          "failed",
          "ok",
        ]);
      });
    });

    describe("alert settings", () => {
      it("GET /alert-settings returns the defaults; PUT changes some thresholds and refuses invalid values", async () => {
        const api = t.client((await t.createUser()).key);
        expect(ok(await api.get("/alert-settings"))).to.deep.equal(DEFAULT_SETTINGS);
        const changed = ok(await api.put("/alert-settings", { ssl_expiry_days: [45, 20] }));
        expect(changed).to.deep.equal({ ...DEFAULT_SETTINGS, ssl_expiry_days: [45, 20] });
        expect(ok(await api.get("/alert-settings"))).to.deep.equal(changed);
        // A time zone in any letter case is stored as IANA spells it.
        expect(ok(await api.put("/alert-settings", { time_zone: "europe/berlin" })).time_zone).to.equal("Europe/Berlin");
        expect(ok(await api.put("/alert-settings", { time_zone: "UTC" })).time_zone).to.equal("UTC");
        // Current names stay as given, never ICU's older aliases (Europe/Kiev, Asia/Calcutta).
        for (const [given, stored] of [
          ["Europe/Kyiv", "Europe/Kyiv"],
          ["europe/kyiv", "Europe/Kyiv"],
          ["Asia/Kolkata", "Asia/Kolkata"],
          ["asia/ho_chi_minh", "Asia/Ho_Chi_Minh"],
          ["america/port-au-prince", "America/Port-au-Prince"],
        ]) {
          expect(ok(await api.put("/alert-settings", { time_zone: given })).time_zone, given).to.equal(stored);
        }
        ok(await api.put("/alert-settings", { time_zone: "UTC" }));
        for (const bad of [
          { time_zone: "Europe/Nowhere" },
          { ssl_expiry_days: [-1] },
          { ssl_expiry_days: [366] },
          { ssl_expiry_days: [5, 5] },
          { ssl_expiry_days: [1.5] },
          { ssl_expiry_days: "30" },
          { domain_expiry_days: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
          { check_failed_after: 0 },
          { check_failed_after: 51 },
          { unknown: 1 },
        ]) {
          expectError(await api.put("/alert-settings", bad), 400);
        }
        expect(ok(await api.get("/alert-settings"))).to.deep.equal(changed);
        // Settings are per user.
        const other = t.client((await t.createUser()).key);
        expect(ok(await other.get("/alert-settings"))).to.deep.equal(DEFAULT_SETTINGS);
      });

      it("uses the user's thresholds on the next check", async () => {
        const api = t.client((await t.createUser()).key);
        ok(await api.put("/alert-settings", { ssl_expiry_days: [45, 20] }));
        const id = await createDomain(api, tuned);
        await firstChecksRecorded(t, api, id);
        // 40 days left: the defaults would say nothing; this user's 45-day threshold alerts.
        const alerts = await allAlerts(api);
        expect(alerts).to.have.length(1);
        expect(alerts[0]).to.include({
          alert_type: "ssl_expiry",
          threshold_days: 45,
          severity: "info",
          title: "SSL certificate expires in 40 days",
          message: `The SSL certificate for tuned.test expires on ${dateOnly(at(40))}. 40 days remaining.`,
        });
        // A change after the domain was added applies to its next check.
        ok(await api.put("/alert-settings", { domain_expiry_days: [365] }));
        await check(api, id);
        expect(kinds(await allAlerts(api))).to.deep.equal(["domain_expiry:365", "ssl_expiry:45"]);
      });
    });
  });

  describe("days remaining and status move with the clock", () => {
    const clock = new ManualClock(NOW);
    let t: TestServer;
    let api: ApiClient;
    let alpha: Site; // registration over WHOIS (.example)
    let beta: Site; // registration over RDAP (.test)
    const ids: Record<string, string> = {};

    before(async () => {
      const [alphaLeaf, betaLeaf] = await Promise.all([leafFor("alpha.example", at(45)), leafFor("beta.test", at(20))]);
      [alpha, beta] = await Promise.all([Site.start("alpha.example", alphaLeaf), Site.start("beta.test", betaLeaf)]);
      registrations.set("alpha.example", { created: new Date("2015-06-01T00:00:00.000Z"), expiry: at(400) });
      registrations.set("beta.test", { created: new Date("2018-01-01T00:00:00.000Z"), expiry: at(100) });
      // No checks on creation here: the test decides when the one check of each domain runs.
      t = await startTestServer({ clock, env: checkEnv(["alpha.example", "beta.test"]) });
      api = t.client((await t.createUser()).key);
      ids["alpha"] = await createDomain(api, alpha);
      ids["beta"] = await createDomain(api, beta);
      ids["gamma"] = ok(await api.post("/domains", { hostname: "gamma.test" }), 201).id;
    });
    after(async () => {
      await t?.close();
      await Promise.all([alpha, beta].map((s) => s?.stop()));
    });

    const domain = async (name: string) => ok(await api.get(`/domains/${ids[name]}`));
    const listed = async (query: string) => ok(await api.get(`/domains?${query}`)).data.map((d: { hostname: string }) => d.hostname);

    it("answers 404 with a clear error before the first check, and the domain is pending", async () => {
      expectError(await api.get(`/domains/${ids["alpha"]}/ssl`), 404, "No SSL check has completed for this domain yet");
      expectError(await api.get(`/domains/${ids["alpha"]}/whois`), 404, "No WHOIS check has completed for this domain yet");
      expect(await domain("alpha")).to.deep.include({ ssl_grade: null, ssl_days_remaining: null, whois_days_remaining: null, status: "pending" });
    });

    it("after one check each, shows days remaining, statuses and the WHOIS answer", async () => {
      ok(await api.post("/check", { domain_id: ids["alpha"] }));
      ok(await api.post("/check", { domain_id: ids["beta"] }));
      expect(await domain("alpha")).to.deep.include({ ssl_days_remaining: 45, whois_days_remaining: 400, status: "valid" });
      expect(await domain("beta")).to.deep.include({ ssl_days_remaining: 20, whois_days_remaining: 100, status: "warning" });
      expect(ok(await api.get(`/domains/${ids["alpha"]}/whois`))).to.deep.include({
        registrar: "Example Registrar, Inc.",
        created_date: "2015-06-01T00:00:00.000Z",
        expiry_date: at(400).toISOString(),
        days_remaining: 400,
        dnssec: true,
        nameservers: ["ns1.alpha.example", "ns2.alpha.example"],
        source: "whois",
      });
      expect(whois.received).to.include("alpha.example");
    });

    it("sorts by ssl_days_remaining and whois_days_remaining (unchecked domains last)", async () => {
      expect(await listed("sort=ssl_days_remaining&order=asc")).to.deep.equal(["beta.test", "alpha.example", "gamma.test"]);
      expect(await listed("sort=ssl_days_remaining&order=desc")).to.deep.equal(["alpha.example", "beta.test", "gamma.test"]);
      expect(await listed("sort=whois_days_remaining&order=asc")).to.deep.equal(["beta.test", "alpha.example", "gamma.test"]);
      // Page by page too, across the boundary between checked and unchecked domains.
      for (const order of ["asc", "desc"]) {
        const paged: string[] = [];
        for (const page of [1, 2, 3]) paged.push(...(await listed(`sort=ssl_days_remaining&order=${order}&per_page=1&page=${page}`)));
        expect(paged, order).to.deep.equal(await listed(`sort=ssl_days_remaining&order=${order}`));
      }
    });

    it("counts down without a new check: days remaining drop by 10 when the clock moves 10 days", async () => {
      clock.advance(10 * DAY_MS);
      expect(await domain("alpha")).to.deep.include({ ssl_days_remaining: 35, whois_days_remaining: 390, status: "valid" });
      expect(await domain("beta")).to.deep.include({ ssl_days_remaining: 10, whois_days_remaining: 90, status: "warning" });
      const list = ok(await api.get("/domains?sort=ssl_days_remaining&order=asc")).data;
      expect(list.map((d: { ssl_days_remaining: number | null }) => d.ssl_days_remaining)).to.deep.equal([10, 35, null]);
      expect(list.map((d: { whois_days_remaining: number | null }) => d.whois_days_remaining)).to.deep.equal([90, 390, null]);
      expect(ok(await api.get(`/domains/${ids["alpha"]}/ssl`))).to.include({ days_remaining: 35, checked_at: NOW.toISOString() });
      expect(ok(await api.get(`/domains/${ids["alpha"]}/whois`))).to.include({ days_remaining: 390 });
      expect(ok(await api.get(`/domains/${ids["beta"]}/ssl/history`)).pagination.total).to.equal(1);
    });

    it("moves statuses valid -> warning -> critical -> expired as time passes, and the status filter follows", async () => {
      expect(await listed("status=valid")).to.deep.equal(["alpha.example"]);
      expect(await listed("status=warning")).to.deep.equal(["beta.test"]);
      expect(await listed("status=critical")).to.deep.equal([]);

      clock.advance(5 * DAY_MS); // alpha 30 days, beta 5
      expect(await domain("alpha")).to.deep.include({ ssl_days_remaining: 30, status: "warning" });
      expect(await domain("beta")).to.deep.include({ ssl_days_remaining: 5, status: "critical" });
      expect(await listed("status=warning")).to.deep.equal(["alpha.example"]);
      expect(await listed("status=critical")).to.deep.equal(["beta.test"]);
      expect(await listed("status=valid")).to.deep.equal([]);

      clock.advance(6 * DAY_MS); // beta's certificate expired a day ago, alpha 24 days
      expect(await domain("beta")).to.deep.include({ ssl_days_remaining: -1, status: "expired" });
      expect(ok(await api.get(`/domains/${ids["beta"]}/ssl`)).days_remaining).to.equal(-1);
      expect(await listed("status=expired")).to.deep.equal(["beta.test"]);
      expect(await listed("status=warning")).to.deep.equal(["alpha.example"]);
      expect(await listed("status=error")).to.deep.equal([]);
      expect(await listed("status=all&sort=hostname&order=asc")).to.deep.equal(["alpha.example", "beta.test", "gamma.test"]);
    });
  });
});

describe("A domain moved to another hostname or port is a new target (e2e, issue #10 §4)", function () {
  this.timeout(60_000);
  const clock = new ManualClock(NOW);
  let t: TestServer;
  let api: ApiClient;
  let oldSite: Site; // old.test, 10 days left
  let movedSite: Site; // moved.test, 60 days left
  let otherPort: Site; // moved.test on another port, 45 days left
  let closedPort: number; // nothing listens there
  let id: string;

  /** Waits until `kind` has `count` checks in its history, then for every read model. */
  const checksRecorded = async (kind: "ssl" | "whois", count: number) => {
    await eventually(`${count} ${kind} checks`, async () => {
      const res = await api.get(`/domains/${id}/${kind}/history`);
      return res.status === 200 && res.body.pagination.total >= count;
    }, { intervalMs: 50 });
    const head = await t.server.infra.eventStore.headPosition();
    if (head) await t.server.services.projections.waitFor(head);
  };
  const history = async (kind: "ssl" | "whois") =>
    ok(await api.get(`/domains/${id}/${kind}/history`)).data.map((c: { hostname: string; port?: number; trigger: string; outcome: string }) =>
      [c.hostname, c.port ?? null, c.trigger, c.outcome].join(" "),
    );
  const alertSummary = async () =>
    (await allAlerts(api, `&domain_id=${id}`)).map((a) => `${a.alert_type}:${a.threshold_days} ${a.hostname}`).sort();

  before(async () => {
    const [oldLeaf, movedLeaf, otherLeaf] = await Promise.all([
      leafFor("old.test", at(10)),
      leafFor("moved.test", at(60)),
      leafFor("moved.test", at(45)),
    ]);
    [oldSite, movedSite, otherPort] = await Promise.all([
      Site.start("old.test", oldLeaf),
      Site.start("moved.test", movedLeaf),
      Site.start("moved.test", otherLeaf),
    ]);
    const closed = await Site.start("moved.test", otherLeaf);
    closedPort = closed.port;
    await closed.stop();
    registrations.set("old.test", { created: new Date("2019-01-01T00:00:00.000Z"), expiry: at(20) });
    registrations.set("moved.test", { created: new Date("2019-01-01T00:00:00.000Z"), expiry: at(200) });
    t = await startTestServer({ clock, env: checkEnv(["old.test", "moved.test"], { SSLTRACKR_CHECK_ON_CREATE: "true" }) });
    api = t.client((await t.createUser()).key);
    id = ok(await api.post("/domains", { hostname: "old.test", port: oldSite.port }), 201).id;
    await checksRecorded("ssl", 1);
    await checksRecorded("whois", 1);
  });
  after(async () => {
    await t?.close();
    await Promise.all([oldSite, movedSite, otherPort].map((s) => s?.stop()));
  });

  it("answers a PUT with a new hostname and port with no SSL or registration facts (pending), not the old host's", async () => {
    expect(await alertSummary()).to.deep.equal(["domain_expiry:30 old.test", "ssl_expiry:14 old.test"]);
    clock.advance(60_000);
    const body = ok(await api.put(`/domains/${id}`, { hostname: "moved.test", port: movedSite.port }));
    expect(body).to.deep.include({
      hostname: "moved.test",
      port: movedSite.port,
      ssl_grade: null,
      ssl_days_remaining: null,
      whois_days_remaining: null,
      status: "pending",
    });
  });

  it("checks the new target at once; its facts then are the domain's, and the old host's are history, labelled with it", async () => {
    await checksRecorded("ssl", 2);
    await checksRecorded("whois", 2);
    expect(ok(await api.get(`/domains/${id}/ssl`))).to.deep.include({ subject: "CN=moved.test", days_remaining: 60, valid_to: at(60).toISOString() });
    expect(ok(await api.get(`/domains/${id}/whois`))).to.deep.include({ domain: "moved.test", days_remaining: 200 });
    expect(ok(await api.get(`/domains/${id}`))).to.deep.include({ ssl_days_remaining: 60, whois_days_remaining: 200, status: "valid" });
    expect(await history("ssl")).to.deep.equal([`moved.test ${movedSite.port} domain_moved ok`, `old.test ${oldSite.port} domain_added ok`]);
    expect(await history("whois")).to.deep.equal(["moved.test  domain_moved ok", "old.test  domain_added ok"]);
  });

  it("keeps the old host's alerts as they were, labelled with the old hostname (the new target, 60 and 200 days out, has none)", async () => {
    expect(await alertSummary()).to.deep.equal(["domain_expiry:30 old.test", "ssl_expiry:14 old.test"]);
  });

  it("on a new port only, clears the SSL facts and keeps the registration's (same hostname); a failing new port never shows the old certificate", async () => {
    clock.advance(60_000);
    const body = ok(await api.put(`/domains/${id}`, { port: closedPort }));
    expect(body).to.deep.include({ port: closedPort, ssl_grade: null, ssl_days_remaining: null, whois_days_remaining: 200 });
    await checksRecorded("ssl", 3);
    expectError(await api.get(`/domains/${id}/ssl`), 404, "No SSL check has completed for this domain yet");
    expect(ok(await api.get(`/domains/${id}`))).to.deep.include({ ssl_days_remaining: null, status: "error" });
    expect((await history("ssl"))[0]).to.equal(`moved.test ${closedPort} domain_moved failed`);

    clock.advance(60_000);
    ok(await api.put(`/domains/${id}`, { port: otherPort.port }));
    await checksRecorded("ssl", 4);
    expect(ok(await api.get(`/domains/${id}/ssl`))).to.deep.include({ days_remaining: 45, last_failure: null });
    expect(ok(await api.get(`/domains/${id}`))).to.deep.include({ ssl_days_remaining: 45, whois_days_remaining: 200, status: "valid" });
  });

  it("re-arms alerts: moved back to the old host, its certificate alerts again, but the same registration does not alert twice", async () => {
    clock.advance(60_000);
    ok(await api.put(`/domains/${id}`, { hostname: "old.test", port: oldSite.port }));
    await checksRecorded("ssl", 5);
    await checksRecorded("whois", 5);
    expect(await alertSummary()).to.deep.equal(["domain_expiry:30 old.test", "ssl_expiry:14 old.test", "ssl_expiry:14 old.test"]);
    expect(ok(await api.get(`/domains/${id}`))).to.deep.include({ ssl_days_remaining: 10, whois_days_remaining: 20, status: "warning" });
  });

  it("does not check a paused domain that moves (the scheduler skips it too); its facts are still cleared", async () => {
    clock.advance(60_000);
    const body = ok(await api.put(`/domains/${id}`, { hostname: "moved.test", port: movedSite.port, is_active: false }));
    expect(body).to.deep.include({ is_active: false, ssl_days_remaining: null, whois_days_remaining: null, status: "pending" });
    await sleep(1500);
    expect(ok(await api.get(`/domains/${id}/ssl/history`)).pagination.total).to.equal(5);
    expect(ok(await api.get(`/domains/${id}/whois/history`)).pagination.total).to.equal(5);
  });
});
