// GET /metrics as Prometheus scrapes it: bearer-token protected, Prometheus text format (read
// back with a text-format parser), the service's own metrics and the per-domain gauges of a
// domain really checked against a local TLS server and a local RDAP server.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { join } from "node:path";
import { expect } from "chai";
import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";
import { parse as parseYaml } from "yaml";
import type { Knex } from "knex";
import type { JobQueue } from "../../src/infrastructure/queue/jobQueue.js";
import type { AddressInfo } from "node:net";
import { metricsRoutes } from "../../src/app/metricsRoutes.js";
import { createHttpApp } from "../../src/infrastructure/http/httpApp.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { DOMAIN_SERIES, collectDomainGauges } from "../../src/monitoring/domainGauges.js";
import { DAY_MS, ManualClock, systemClock } from "../../src/shared/clock.js";
import { createPki, startTlsServer, type Pki, type RunningServer } from "../support/pki.js";
import { startRdapServer, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const TOKEN = "prometheus-scrape-token-0123456789";
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS + 12 * 3_600_000);

/** PromQL functions, aggregations and keywords used in docs/prometheus: everything else is a metric name. */
const PROMQL_WORDS = new Set([
  "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
  "rate", "increase", "histogram_quantile", "time", "vector", "sort", "bottomk", "topk", "label_values", "offset",
]);

/** The metric names a PromQL expression reads: identifiers outside label matchers, ranges, strings and grouping clauses. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"[^"]*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, "")
    .replace(/label_values\(([^,]+),[^)]*\)/g, "$1");
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w));
}

describe("Prometheus metrics (e2e)", function () {
  this.timeout(60_000);
  let pki: Pki;
  let site: RunningServer;
  let rdap: RegistryServer;
  let t: TestServer;
  const leafExpiry = at(45);
  const intermediateExpiry = at(20);
  const registrationExpiry = at(300);

  before(async () => {
    pki = await createPki();
    const root = await pki.createRootCa({ cn: "SSLTrackr Metrics Root" });
    const intermediate = await pki.createIntermediateCa(root, { cn: "SSLTrackr Metrics CA", notAfter: intermediateExpiry });
    const leaf = await pki.createLeaf(intermediate, { cn: "shop.test", sans: ["shop.test"], notBefore: at(-30), notAfter: leafExpiry });
    site = await startTlsServer({ leaf, chain: [intermediate] });
    const caFile = join(pki.dir, "metrics-ca.pem");
    await writeFile(caFile, root.certPem);
    rdap = await startRdapServer(() => ({
      body: {
        objectClassName: "domain",
        ldhName: "shop.test",
        events: [{ eventAction: "expiration", eventDate: registrationExpiry.toISOString() }],
      },
    }));
    const bootstrap = writeBootstrapFile(["test"], (rdap as RegistryServer & { baseUrl: string }).baseUrl);
    t = await startTestServer({
      clock: new ManualClock(NOW),
      env: {
        SSLTRACKR_METRICS_TOKEN: TOKEN,
        SSLTRACKR_RESOLVE: "shop.test=127.0.0.1",
        SSLTRACKR_EXTRA_CA_FILE: caFile,
        SSLTRACKR_RDAP_BOOTSTRAP: bootstrap,
        SSLTRACKR_CHECK_TIMEOUT_MS: "2000",
      },
    });
  });
  after(async () => {
    await t?.close();
    await site?.close();
    await rdap?.close();
    await pki?.cleanup();
  });

  const scrape = (authorization?: string) =>
    fetch(`${t.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it("refuses a scrape without the bearer token, or with another, as 401 JSON", async () => {
    for (const auth of [undefined, "Bearer wrong-token-wrong-token", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await scrape(auth);
      expect(res.status, String(auth)).to.equal(401);
      expect(res.headers.get("www-authenticate")).to.include("Bearer");
      // Its own realm: the metrics token, not an API key.
      expect(res.headers.get("www-authenticate")).to.equal('Bearer realm="metrics"');
      expect(((await res.json()) as { error: string }).error).to.be.a("string");
    }
  });

  it("exports the checked domain's gauges under the exporters' names, and the service's own metrics", async () => {
    const { userId, key } = await t.createUser();
    const api = t.client(key);
    const created = await api.post("/domains", { hostname: "shop.test", port: site.port });
    expect(created.status).to.equal(201);
    const id = created.body.id as string;
    const checked = await api.post("/check", { domain_id: id });
    expect(checked.status, JSON.stringify(checked.body)).to.equal(200);

    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const families = parsePrometheusTextFormat(text);
    const family = (name: string): MetricFamily => {
      const f = families.find((m) => m.name === name);
      if (!f) throw new Error(`${name} is not exported`);
      return f;
    };
    const labels = { user_id: userId, domain_id: id, hostname: "shop.test", port: String(site.port) };
    const value = (name: string) => {
      const sample = family(name).metrics.find((m) => m.labels?.["domain_id"] === id);
      expect(sample?.labels, name).to.include(labels);
      return Number(sample?.value);
    };

    expect(value("ssl_cert_not_after")).to.equal(leafExpiry.getTime() / 1000);
    expect(value("probe_ssl_earliest_cert_expiry")).to.equal(intermediateExpiry.getTime() / 1000);
    expect(value("ssl_probe_success")).to.equal(1);
    expect(value("domain_expiry_days")).to.equal(300);
    expect(value("domain_probe_success")).to.equal(1);
    const grade = family("ssltrackr_ssl_grade").metrics.find((m) => m.labels?.["domain_id"] === id);
    expect(grade?.labels?.["grade"]).to.match(/^[A-FMT][+-]?$/);
    for (const name of DOMAIN_SERIES) expect(family(name).type, name).to.equal("GAUGE");
    expect(family("ssltrackr_metrics_domains").metrics.map((m) => [m.labels?.["set"], m.value])).to.deep.include.members([
      ["monitored", "1"],
      ["exported", "1"],
    ]);

    // The service's own metrics: request latency (this very API use), check duration and outcome.
    // The parser folds a histogram's labelled series into one, so their labels are read from
    // the `_count` lines.
    expect(family("ssltrackr_http_server_request_duration_seconds").type).to.equal("HISTOGRAM");
    expect(family("ssltrackr_check_duration_seconds").type).to.equal("HISTOGRAM");
    const counts = (name: string) => text.split("\n").filter((l) => l.startsWith(`${name}_count{`));
    expect(counts("ssltrackr_http_server_request_duration_seconds").some((l) => l.includes('http_request_method="POST"') && l.includes('http_route="/api/v1/domains"'))).to.equal(true);
    for (const kind of ["ssl", "whois"]) {
      expect(counts("ssltrackr_check_duration_seconds").some((l) => l.includes(`kind="${kind}"`) && l.includes('outcome="ok"'))).to.equal(true);
    }
    expect(family("process_cpu_seconds_total").type).to.equal("COUNTER");
    // The check queue: depth and the rest by state, the shared queue's figures.
    expect(family("ssltrackr_check_queue_jobs").metrics.map((m) => m.labels?.["state"])).to.have.members(["waiting", "running", "retrying", "failed"]);
    expect(Number(family("ssltrackr_check_queue_oldest_waiting_seconds").metrics[0]?.value)).to.be.at.least(0);
    // Counters that alerting rules watch with increase() exist at 0 before their first event.
    expect(text).to.match(/^ssltrackr_webhook_deliveries_total\{status="dead",test="false"\} 0$/m);
    // The auth scheme is case-insensitive (RFC 9110 §11.1).
    expect((await scrape(`bearer ${TOKEN}`)).status).to.equal(200);
  });

  it("every metric named in docs/prometheus (alerting rules, Grafana dashboard) is one this server exports", async () => {
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const exported = new Set<string>();
    for (const f of parsePrometheusTextFormat(text)) {
      exported.add(f.name);
      if (f.type === "HISTOGRAM") for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(f.name + suffix);
    }
    const rules = parseYaml(await readFile(new URL("../../docs/prometheus/alerts.yml", import.meta.url), "utf8")) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const dashboard = JSON.parse(await readFile(new URL("../../docs/prometheus/grafana-dashboard.json", import.meta.url), "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query: string }[] };
    };
    const queries = [
      ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert}`, expr: r.expr }))),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel ${p.title}`, expr: t.expr }))),
      ...dashboard.templating.list.map((v) => ({ where: "dashboard variable", expr: v.query })),
    ];
    expect(queries.length).to.be.greaterThan(20);
    for (const { where, expr } of queries) {
      const named = metricNames(expr);
      expect(named.length, `${where} names a metric`).to.be.greaterThan(0);
      for (const name of named) expect(exported.has(name), `${where}: ${name} is exported`).to.equal(true);
    }
  });

  it("the alerting rules pass promtool's check (where promtool is installed)", async function () {
    const promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((p) => existsSync(p));
    if (!promtool) {
      console.log("      (skipped: no promtool here; `apt-get install prometheus` brings it)");
      this.skip();
    }
    const rules = fileURLToPath(new URL("../../docs/prometheus/alerts.yml", import.meta.url));
    const { stdout } = await promisify(execFile)(promtool, ["check", "rules", rules]);
    expect(stdout).to.match(/SUCCESS: \d+ rules found/);
  });

  it("leaves deleted domains out", async () => {
    const { key } = await t.createUser();
    const api = t.client(key);
    const created = await api.post("/domains", { hostname: "gone.test" });
    expect((await api.delete(`/domains/${created.body.id}`)).status).to.equal(200);
    const families = parsePrometheusTextFormat(await (await scrape(`Bearer ${TOKEN}`)).text());
    const hostnames = families.flatMap((f) => f.metrics.map((m) => m.labels?.["hostname"]));
    expect(hostnames).to.not.include("gone.test");
  });
});

describe("Prometheus per-domain gauges: the cap (integration)", function () {
  this.timeout(60_000);
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(async () => t?.close());

  it("exports at most SSLTRACKR_METRICS_MAX_DOMAINS domains, soonest expiry first, and says how many were left out", async () => {
    const { key } = await t.createUser();
    const api = t.client(key);
    const ids: string[] = [];
    for (const hostname of ["later.test", "sooner.test", "unchecked.test"]) ids.push((await api.post("/domains", { hostname })).body.id as string);
    // Facts as the projection stores them after checks: sooner.test expires first.
    await t.db.pool.query("update domains set ssl_valid_to = now() + interval '80 days', ssl_earliest_expiry = now() + interval '80 days', ssl_check_failed = false where id = $1", [ids[0]]);
    await t.db.pool.query("update domains set ssl_valid_to = now() + interval '9 days', ssl_earliest_expiry = now() + interval '9 days', ssl_check_failed = false where id = $1", [ids[1]]);

    const text = await (await collectDomainGauges(t.server.infra.knex, 1, new Date())).metrics();
    const families = parsePrometheusTextFormat(text);
    const hostnames = new Set(families.flatMap((f) => f.metrics.map((m) => m.labels?.["hostname"]).filter(Boolean)));
    expect([...hostnames]).to.deep.equal(["sooner.test"]);
    const domains = families.find((f) => f.name === "ssltrackr_metrics_domains")!.metrics.map((m) => [m.labels?.["set"], m.value]);
    expect(domains).to.deep.include.members([["monitored", "3"], ["exported", "1"]]);

    const none = parsePrometheusTextFormat(await (await collectDomainGauges(t.server.infra.knex, 0, new Date())).metrics());
    expect(none.filter((f) => f.metrics.some((m) => m.labels?.["domain_id"]))).to.deep.equal([]);
  });
});

describe("Prometheus metrics switched off (e2e)", () => {
  it("has no /metrics route without SSLTRACKR_METRICS_TOKEN", async () => {
    const app = createHttpApp({
      logger: createLogger("silent"),
      authenticate: (_req, _res, next) => next(),
      apiRouters: [],
      // No database is touched: without a token the router has no route at all.
      publicRouter: metricsRoutes(undefined as unknown as Knex, undefined as unknown as JobQueue, [], { token: undefined, maxDomains: 10 }, systemClock),
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).to.equal(404);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
