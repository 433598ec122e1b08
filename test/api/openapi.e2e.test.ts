// The OpenAPI document (GET /api/v1/openapi.json) against the running server: every route the
// Express app serves is documented and every documented operation is served; real answers,
// successes and the main errors, validate against the document's schemas (JSON Schema
// 2020-12, with ajv); and the document holds together (OpenAPI 3.1, every $ref resolves).
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { systemClock } from "../../src/shared/clock.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { eventually } from "../support/eventually.js";
import { startTestServer, type ApiClient, type ApiResponse, type TestServer } from "../support/testServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhookReceiver.js";

const METHODS = ["get", "post", "put", "delete"] as const;
type Method = (typeof METHODS)[number];

interface Reference {
  readonly $ref: string;
}
interface ResponseObject {
  readonly description: string;
  readonly headers?: Record<string, Reference>;
  readonly content?: Record<string, { readonly schema: object }>;
}
interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly { readonly name: string; readonly in: string; readonly schema?: object }[];
  readonly responses: Record<string, ResponseObject | Reference>;
  readonly security?: readonly object[];
}
type PathItem = Partial<Record<Method, Operation>> & { readonly servers?: readonly { readonly url: string }[] };
interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string };
  readonly servers: readonly { readonly url: string }[];
  readonly paths: Record<string, PathItem>;
  readonly components: { readonly schemas: Record<string, object> };
}

/** The value a local reference (`#/a/b`) points at, or undefined. */
const resolve = (doc: object, ref: string): unknown =>
  ref
    .replace(/^#\//, "")
    .split("/")
    .map((part) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined), doc);

const pointerPart = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      const server = item.servers?.[0]?.url ?? doc.servers[0]?.url ?? "";
      return operation ? [{ method, path, operation, url: `${server === "/" ? "" : server}${path}` }] : [];
    }),
  );

// Express 5 (router 2): a layer is a route, or a mounted router with its mount path.
interface Layer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly handle: { readonly stack?: readonly Layer[] };
  readonly rawPath?: unknown;
}
const servedRoutes = (stack: readonly Layer[], prefix = ""): string[] =>
  stack.flatMap((layer) => {
    const { route } = layer;
    if (route) return Object.keys(route.methods).map((m) => `${m.toUpperCase()} ${prefix}${route.path.replace(/:(\w+)/g, "{$1}")}`);
    const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
    return layer.handle.stack ? servedRoutes(layer.handle.stack, prefix + mount) : [];
  });

const METRICS_TOKEN = "openapi-metrics-token-0123456789";

describe("OpenAPI document (e2e)", function () {
  this.timeout(30_000);
  const checkers = new FakeCheckers(systemClock);
  let t: TestServer;
  let receiver: WebhookReceiver;
  let doc: OpenApiDocument;
  let ajv: Ajv2020;
  const validators = new Map<string, ValidateFunction>();
  /** "get /domains 200": every (operation, status) a real answer was validated for. */
  const answered = new Set<string>();
  let api: ApiClient;
  let readOnly: ApiClient;
  let otherUser: ApiClient;

  /** Asserts a real answer is documented for its operation and status, and matches it. */
  function conforms(method: Method, path: string, res: ApiResponse): ApiResponse {
    const context = `${method.toUpperCase()} ${path} answered ${res.status} ${JSON.stringify(res.body)}`;
    const declared = doc.paths[path]?.[method]?.responses[String(res.status)];
    expect(declared, `${context}: not documented`).to.not.equal(undefined);
    const at = declared && "$ref" in declared ? declared.$ref : `#/paths/${pointerPart(path)}/${method}/responses/${res.status}`;
    const response = resolve(doc, at) as ResponseObject;
    for (const [name, ref] of Object.entries(response.headers ?? {})) {
      const header = resolve(doc, ref.$ref) as { required?: boolean };
      if (header.required) expect(res.headers.get(name), `${context}: header ${name}`).to.be.a("string");
    }
    // The answer's media type must be one the response declares (a report comes as JSON or CSV).
    const answeredType = res.headers.get("content-type")?.split(";")[0]?.trim() ?? "";
    const textType = Object.keys(response.content ?? {}).find((type) => type.startsWith("text/") && type.split(";")[0] === answeredType);
    if (textType) {
      expect(res.body, context).to.be.a("string");
    } else if (response.content) {
      expect(Object.keys(response.content), `${context}: answered ${answeredType}`).to.include("application/json");
      expect(answeredType, context).to.equal("application/json");
      let validate = validators.get(at);
      if (!validate) {
        validate = ajv.compile({ $ref: `openapi.json${at}/content/application~1json/schema` });
        validators.set(at, validate);
      }
      expect(validate(res.body), `${context}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
    answered.add(`${method} ${path} ${res.status}`);
    return res;
  }

  /** Calls `path` (OpenAPI form, `{id}` filled in) and checks that the answer conforms. */
  async function call(
    client: ApiClient,
    method: Method,
    path: string,
    options: { id?: string; query?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const url = path.replace("{id}", options.id ?? "") + (options.query ? `?${options.query}` : "");
    return conforms(method, path, await client.request(method.toUpperCase(), url, options.body, options.headers));
  }

  before(async () => {
    t = await startTestServer({
      checkers,
      env: {
        SSLTRACKR_WEBHOOK_POLL_MS: "20",
        SSLTRACKR_WEBHOOK_RETRY_SCHEDULE: "100ms",
        SSLTRACKR_METRICS_TOKEN: METRICS_TOKEN,
        SSLTRACKR_SECRETS_KEY: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
      },
    });
    receiver = await startWebhookReceiver();
    const res = await t.client().get<OpenApiDocument>("/openapi.json");
    expect(res.status).to.equal(200);
    doc = res.body;
    ajv = new Ajv2020({ allErrors: true });
    ajvFormats.default(ajv);
    // The document's own top-level keys are not schema keywords: declare them, so that
    // references into it (#/components/schemas/...) resolve under ajv's strict mode.
    ajv.addVocabulary(Object.keys(doc));
    ajv.addSchema(doc, "openapi.json");
    conforms("get", "/openapi.json", res);

    api = t.client((await t.createUser()).key);
    const created = await api.post("/api-keys", { label: "read only", permissions: ["read"] });
    readOnly = t.client(created.body.key);
    otherUser = t.client((await t.createUser()).key);
  });
  after(async () => {
    await receiver?.close();
    await t?.close();
  });

  describe("coverage", () => {
    it("documents every route the app serves, and the app serves every documented operation", () => {
      const app = t.server.app as unknown as { router: { stack: readonly Layer[] } };
      const served = servedRoutes(app.router.stack);
      const documented = operationsOf(doc).map(({ method, url }) => `${method.toUpperCase()} ${url}`);
      expect(served, "the routes").to.have.length.above(20);
      expect(served.filter((route) => !documented.includes(route)), "served, not documented").to.deep.equal([]);
      expect(documented.filter((route) => !served.includes(route)), "documented, not served").to.deep.equal([]);
    });
  });

  describe("the document", () => {
    it("declares the Idempotency-Key header, 422 and 503 (with Retry-After) on every authenticated write", () => {
      const authenticated = (operation: Operation) => operation.security === undefined || operation.security.length > 0;
      const writes = operationsOf(doc).filter(({ method, url, operation }) => method !== "get" && url.startsWith("/api/v1") && authenticated(operation));
      expect(writes.length).to.be.above(5);
      for (const { method, path, operation } of writes) {
        const params = (operation.parameters ?? []).map((p) => ("$ref" in p ? resolve(doc, p.$ref as string) : p)) as { name: string; in: string }[];
        expect(params.filter((p) => p.in === "header").map((p) => p.name), `${method} ${path}`).to.deep.equal(["Idempotency-Key"]);
        expect(Object.keys(operation.responses), `${method} ${path}`).to.include.members(["422", "503"]);
      }
      const unavailable = resolve(doc, "#/components/responses/Unavailable") as { headers: Record<string, unknown> };
      expect(unavailable.headers).to.have.property("Retry-After");
    });

    it("is OpenAPI 3.1 with unique operation ids, path parameters declared, and every $ref resolving", () => {
      expect(doc.openapi).to.equal("3.1.0");
      expect(doc.info.title).to.be.a("string");
      expect(doc.info.version).to.be.a("string");
      const ids = operationsOf(doc).map(({ operation }) => operation.operationId);
      expect(new Set(ids).size, "operationIds").to.equal(ids.length);
      for (const { method, path, operation } of operationsOf(doc)) {
        expect(path, path).to.match(/^\//);
        expect(Object.keys(operation.responses), `${method} ${path}`).to.have.length.above(0);
        const declared = (operation.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        expect(declared, `${method} ${path} path parameters`).to.deep.equal([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      }
      const refs: string[] = [];
      const collect = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(collect);
        else if (typeof node === "object" && node !== null) {
          for (const [key, value] of Object.entries(node)) {
            if (key === "$ref" && typeof value === "string") refs.push(value);
            else collect(value);
          }
        }
      };
      collect(doc);
      expect(refs).to.have.length.above(0);
      for (const ref of refs) expect(resolve(doc, ref), ref).to.not.equal(undefined);
    });

    it("describes every path id as the server takes it: a UUID in either case, nothing else", async () => {
      const id = randomUUID();
      const ids = operationsOf(doc).flatMap(({ method, path, operation }) =>
        (operation.parameters ?? []).filter((p) => p.in === "path" && p.name === "id").map((p) => ({ at: `${method} ${path}`, schema: p.schema })),
      );
      expect(ids).to.have.length.above(10);
      for (const { at, schema } of ids) {
        const validate = ajv.compile(schema ?? {});
        expect(validate(id), `${at}: lower case`).to.equal(true);
        expect(validate(id.toUpperCase()), `${at}: upper case`).to.equal(true);
        expect(validate(`${id}0`), `${at}: too long`).to.equal(false);
        expect(validate("not-a-uuid"), `${at}: not a UUID`).to.equal(false);
      }
      // What the document allows, the server takes: the upper-case id of a domain finds it.
      const created = await call(api, "post", "/domains", { body: { hostname: "upper-id.example" } });
      const found = await api.get(`/domains/${(created.body.id as string).toUpperCase()}`);
      expect(found.status).to.equal(200);
      expect(found.body.id).to.equal(created.body.id);
      await call(api, "delete", "/domains/{id}", { id: created.body.id });
    });

    it("has schemas that compile as JSON Schema 2020-12", () => {
      for (const name of Object.keys(doc.components.schemas)) {
        expect(() => ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` }), name).to.not.throw();
      }
    });

    it("describes objects as closed: an undocumented field fails validation", async () => {
      const created = await call(api, "post", "/domains", { body: { hostname: "closed.example" } });
      const validate = ajv.compile({ $ref: "openapi.json#/components/schemas/Domain" });
      expect(validate(created.body)).to.equal(true);
      expect(validate({ ...created.body, surprise: 1 })).to.equal(false);
      await call(api, "delete", "/domains/{id}", { id: created.body.id });
    });
  });

  describe("real answers validate against it", () => {
    let domainId: string;
    let failingId: string;

    it("the probes and the Prometheus scrape target", async () => {
      for (const path of ["/health", "/ready"]) {
        const res = await fetch(`${t.url}${path}`);
        conforms("get", path, { status: res.status, body: await res.json(), headers: res.headers });
      }
      const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      conforms("get", "/metrics", { status: metrics.status, body: await metrics.text(), headers: metrics.headers });
      const refused = await fetch(`${t.url}/metrics`);
      conforms("get", "/metrics", { status: refused.status, body: await refused.json(), headers: refused.headers });
    });

    it("domains", async () => {
      await call(api, "put", "/alert-settings", { body: { ssl_expiry_days: [120, 30], check_failed_after: 1 } });
      await call(api, "put", "/alert-settings", { body: { check_failed_after: 0 } });
      await call(api, "get", "/alert-settings");
      const webhook = await call(api, "post", "/webhooks", { body: { url: receiver.url, alert_types: ["ssl_expiry", "check_failed"] } });
      expect(webhook.status).to.equal(201);

      const created = await call(api, "post", "/domains", { body: { hostname: "openapi.example", notes: "spec", tags: ["prod"] } });
      expect(created.status).to.equal(201);
      domainId = created.body.id;
      failingId = (await call(api, "post", "/domains", { body: { hostname: "failing.example", port: 8443 } })).body.id;
      const bulk = await call(api, "post", "/domains/bulk", { body: { domains: [{ hostname: "bulk.example" }, { hostname: "openapi.example" }, { hostname: "not valid" }] } });
      expect(bulk.body).to.include({ created: 1, conflicts: 1, invalid: 1 });
      checkers.failing.add("failing.example");
      expect((await call(api, "post", "/domains", { body: { hostname: "OpenAPI.example." } })).status).to.equal(409);
      await call(api, "post", "/domains", { body: { hostname: "http://x" } });
      conforms("post", "/domains", await api.request("POST", "/domains", "hostname=form.example", { "content-type": "application/x-www-form-urlencoded" }));
      await call(api, "get", "/domains");
      await call(api, "get", "/domains", { query: "status=unknown" });
      await call(api, "get", "/domains/{id}", { id: domainId });
      await call(api, "get", "/domains/{id}", { id: randomUUID() });
      await call(api, "get", "/domains/{id}", { id: "not-a-uuid" });
      await call(otherUser, "get", "/domains/{id}", { id: domainId });
      await call(api, "put", "/domains/{id}", { id: domainId, body: { notes: null, is_active: true } });
      await call(api, "put", "/domains/{id}", { id: domainId, body: { surprise: true } });
      await call(readOnly, "post", "/domains", { body: { hostname: "denied.example" } });
      await call(t.client(), "get", "/domains");
      await call(t.client("ssa_not_a_key"), "get", "/alerts");
    });

    it("checks, alerts and history", async () => {
      await call(api, "get", "/domains/{id}/ssl", { id: domainId });
      expect((await call(api, "post", "/check", { body: { domain_id: domainId } })).status).to.equal(200);
      const failed = await call(api, "post", "/check", { body: { domain_id: failingId } });
      expect(failed.body.ssl.error).to.be.an("object");
      // A failure after a success: the latest check then carries last_failure.
      checkers.failing.add("openapi.example");
      await call(api, "post", "/check", { body: { domain_id: domainId } });
      checkers.failing.delete("openapi.example");
      await call(api, "post", "/check", { body: { domain_id: randomUUID() } });
      await call(api, "post", "/check", { body: {} });

      const ssl = await call(api, "get", "/domains/{id}/ssl", { id: domainId });
      expect(ssl.body.last_failure).to.be.an("object");
      await call(api, "get", "/domains/{id}/whois", { id: domainId });
      await call(api, "get", "/domains/{id}/whois", { id: failingId });
      for (const kind of ["ssl", "whois"]) {
        const history = await call(api, "get", `/domains/{id}/${kind}/history`, { id: domainId });
        expect(history.body.data.map((c: { outcome: string }) => c.outcome)).to.include.members(["ok", "failed"]);
        await call(api, "get", `/domains/{id}/${kind}/history`, { id: domainId, query: "per_page=0" });
        await call(otherUser, "get", `/domains/{id}/${kind}/history`, { id: domainId });
      }
      const listed = await call(api, "get", "/domains", { query: "sort=ssl_days_remaining&order=asc" });
      expect(listed.body.data.map((d: { ssl_grade: string | null }) => d.ssl_grade)).to.include("A");

      const report = await call(api, "get", "/reports/expiring", { query: "within_days=365" });
      expect(report.body.expiring.map((i: { hostname: string }) => i.hostname)).to.include("openapi.example");
      await call(api, "get", "/reports/expiring", { query: "within_days=-1" });
      conforms("get", "/reports/expiring", await api.request("GET", "/reports/expiring", undefined, { accept: "text/csv" }));
      conforms("get", "/reports/expiring", await api.request("GET", "/reports/expiring", undefined, { accept: "application/xml" }));
      await call(api, "get", "/digest-settings");
      await call(api, "put", "/digest-settings", { body: { frequency: "daily", hour: 7, within_days: 14 } });
      await call(api, "put", "/digest-settings", { body: { enabled: true } });

      const alerts = await call(api, "get", "/alerts");
      expect(alerts.body.data).to.have.length.above(0);
      await call(api, "get", "/alerts", { query: `domain_id=${domainId}` });
      await call(api, "get", "/alerts", { query: "domain_id=1" });
      await call(api, "get", "/alerts", { query: "state=open" });
      const acknowledged = await call(api, "post", "/alerts/{id}/acknowledge", { id: alerts.body.data[0].id });
      expect(acknowledged.body.state).to.equal("acknowledged");
      await call(otherUser, "post", "/alerts/{id}/acknowledge", { id: alerts.body.data[0].id });

      const events = await call(api, "get", "/domains/{id}/history", { id: domainId, query: "per_page=100" });
      expect(events.body.data.map((e: { type: string }) => e.type)).to.include.members(["DomainAdded", "DomainUpdated", "SslChecked", "SslCheckFailed", "WhoisChecked", "AlertRaised"]);
      const asOf = await call(api, "get", "/domains/{id}/history", { id: domainId, query: `as_of=${new Date().toISOString()}` });
      expect(asOf.body.last_ssl_check).to.be.an("object");
      await call(api, "get", "/domains/{id}/history", { id: domainId, query: "as_of=2000-01-01T00:00:00Z" });
      await call(api, "get", "/domains/{id}/history", { id: domainId, query: "as_of=yesterday" });

      await call(api, "delete", "/domains/{id}", { id: failingId });
      await call(api, "delete", "/domains/{id}", { id: failingId });
      await call(api, "get", "/domains/{id}/history", { id: failingId });
    });

    it("API keys, with the rate limit", async () => {
      const created = await call(api, "post", "/api-keys", { body: { label: "CI", permissions: ["read", "write"], expires_at: "2099-01-01T00:00:00+01:00" } });
      expect(created.status).to.equal(201);
      await call(api, "post", "/api-keys", { body: { label: "past", expires_at: "2001-01-01T00:00:00Z" } });
      await call(readOnly, "post", "/api-keys", { body: { label: "denied" } });
      await call(api, "get", "/api-keys");
      await call(readOnly, "get", "/api-keys", { query: "page=2&per_page=1" });
      await call(api, "delete", "/api-keys/{id}", { id: created.body.id });
      await call(api, "delete", "/api-keys/{id}", { id: created.body.id });

      const limited = t.client((await t.createUser()).key);
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await call(limited, "post", "/api-keys", { body: { label: `key ${i}` } }));
      expect(answers.map((r) => r.status)).to.deep.equal([201, 201, 201, 201, 201, 429]);
    });

    it("sessions: sign-in, the session, sign-out and sign-out everywhere", async () => {
      const email = `openapi-${randomUUID()}@example.com`;
      await t.createUser(email);
      await t.server.services.signIn.setPassword(email, "openapi long password", new Date());
      const anonymous = t.client();
      await call(anonymous, "post", "/session", { body: { email } });
      await call(anonymous, "post", "/session", { body: { email, password: "wrong password" } });
      const signedIn = await call(anonymous, "post", "/session", { body: { email, password: "openapi long password" } });
      const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
      const csrf = { cookie, "x-csrf-token": signedIn.body.csrf_token as string };
      await call(anonymous, "get", "/session", { headers: { cookie } });
      await call(anonymous, "get", "/session");
      await call(anonymous, "delete", "/session", { headers: { cookie } });
      await call(anonymous, "post", "/session/revoke-all", { headers: csrf });
      const again = await anonymous.post("/session", { email, password: "openapi long password" });
      const next = { cookie: again.headers.get("set-cookie")!.split(";")[0]!, "x-csrf-token": again.body.csrf_token as string };
      await call(anonymous, "delete", "/session", { headers: next });
      await call(anonymous, "delete", "/session", { headers: next });
      await call(api, "post", "/session/revoke-all");
    });

    it("webhooks and their deliveries", async () => {
      const list = await call(api, "get", "/webhooks");
      const id: string = list.body.data[0].id;
      await call(api, "get", "/webhooks/{id}", { id });
      await call(api, "put", "/webhooks/{id}", { id, body: { description: "Ops", alert_types: ["ssl_expiry"] } });
      await call(api, "put", "/webhooks/{id}", { id, body: { url: "ftp://example.com" } });
      // The alerts raised by the checks above reach the webhook (then nothing else is sent).
      await eventually("an alert delivered", async () => {
        const deliveries = await call(api, "get", "/webhooks/{id}/deliveries", { id, query: "status=delivered" });
        return deliveries.body.data.some((d: { test: boolean }) => !d.test);
      }, { intervalMs: 50 });
      receiver.respondWith(500);
      expect((await call(api, "post", "/webhooks/{id}/test", { id })).body).to.include({ test: true, status: "dead" });
      expect((await call(api, "post", "/webhooks/{id}/test", { id })).body).to.include({ test: true, status: "delivered" });
      await call(api, "get", "/webhooks/{id}/deliveries", { id });
      await call(api, "get", "/webhooks/{id}/deliveries", { id, query: "status=lost" });
      await call(otherUser, "get", "/webhooks/{id}/deliveries", { id });
      await call(otherUser, "post", "/webhooks/{id}/test", { id });
      await call(api, "delete", "/webhooks/{id}", { id });
      await call(api, "get", "/webhooks/{id}", { id });
    });

    it("notification channels and their deliveries", async () => {
      const created = await call(api, "post", "/notification-channels", { body: { type: "webhook", name: "hook", config: { url: receiver.url }, routing: { min_severity: "warning" } } });
      expect(created.body.signing_secret).to.match(/^whsec_/);
      await call(api, "post", "/notification-channels", { body: { type: "slack", name: "x", config: { webhook_url: "ftp://example.com" } } });
      const id: string = created.body.id;
      await call(api, "get", "/notification-channels");
      await call(api, "get", "/notification-channels/{id}", { id });
      await call(otherUser, "get", "/notification-channels/{id}", { id });
      await call(api, "put", "/notification-channels/{id}", { id, body: { name: "ops hook", template: { title: "{{hostname}}" } } });
      await call(api, "put", "/notification-channels/{id}", { id, body: { routing: { min_severity: "fatal" } } });
      expect((await call(api, "post", "/notification-channels/{id}/test", { id })).body).to.include({ test: true, status: "delivered" });
      await call(otherUser, "post", "/notification-channels/{id}/test", { id });
      await call(api, "get", "/notification-channels/{id}/deliveries", { id });
      await call(api, "get", "/notification-channels/{id}/deliveries", { id, query: "status=lost" });
      await call(otherUser, "get", "/notification-channels/{id}/deliveries", { id });
      await call(api, "delete", "/notification-channels/{id}", { id });
      await call(api, "delete", "/notification-channels/{id}", { id });
    });

    it("covered every operation's success and the main errors", () => {
      for (const { method, path, operation } of operationsOf(doc)) {
        const successes = Object.keys(operation.responses).filter((status) => status.startsWith("2"));
        expect(successes.some((status) => answered.has(`${method} ${path} ${status}`)), `${method} ${path}: no success exercised`).to.equal(true);
      }
      const errors = new Set([...answered].map((a) => Number(a.split(" ")[2])).filter((status) => status >= 400));
      expect([...errors]).to.include.members([400, 401, 403, 404, 406, 409, 415, 429]);
    });
  });
});
