// HTTP conventions (issue 11, section 5) on every route family, from the operations the
// OpenAPI document describes: 415 for content that is not JSON, 405 with Allow for a known
// path and another method, rate-limited routes that validate before they count, and a start-up
// log line naming the address actually bound.
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { expect } from "chai";
import { apiOperations } from "../../src/app/openapiRoutes.js";
import { startServer } from "../../src/app/server.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { systemClock } from "../../src/shared/clock.js";
import { expectError } from "../support/apiHelpers.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { startTestServer, testConfig, type ApiResponse, type TestServer } from "../support/testServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhookReceiver.js";

const fullPath = (op: (typeof apiOperations)[number]) => {
  const server = op.server ?? "/api/v1";
  return `${server === "/" ? "" : server}${op.path.replace(/\{[^}]+\}/g, randomUUID())}`;
};

type Api = ReturnType<TestServer["client"]>;

describe("HTTP conventions (e2e)", function () {
  this.timeout(60_000);
  let t: TestServer;
  let key: string;

  /** A raw request to a full path (outside the API client, which always sends JSON). */
  const send = async (method: string, path: string, init: { body?: string | Uint8Array; headers?: Record<string, string> } = {}): Promise<ApiResponse> => {
    const res = await fetch(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...init.headers }, body: init.body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  };

  before(async () => {
    t = await startTestServer({ checkers: new FakeCheckers(systemClock) });
    key = (await t.createUser()).key;
  });
  after(async () => t?.close());

  describe("415 for content that is not JSON", () => {
    const withBody = apiOperations.filter((op) => op.request?.body);
    const nonJson: Record<string, { body?: string | Uint8Array; headers?: Record<string, string> }> = {
      "text/plain (even holding JSON)": { body: '{"hostname": "a.example.com"}', headers: { "content-type": "text/plain" } },
      "a form": { body: "hostname=a.example.com", headers: { "content-type": "application/x-www-form-urlencoded" } },
      "multipart": { body: "--x\r\n\r\nhostname\r\n--x--", headers: { "content-type": "multipart/form-data; boundary=x" } },
      "no Content-Type": { body: new TextEncoder().encode('{"hostname": "a.example.com"}') },
      "no Content-Type and no body": {},
      "a JSON look-alike type": { body: "{}", headers: { "content-type": "application/jsonx" } },
    };
    it("covers every operation that takes a body", () => {
      expect(withBody.map((op) => `${op.method} ${op.path}`)).to.include.members([
        "post /domains", "put /domains/{id}", "post /check", "put /alert-settings", "post /api-keys", "post /webhooks", "put /webhooks/{id}",
      ]);
    });
    for (const op of withBody) {
      for (const [name, init] of Object.entries(nonJson)) {
        it(`${op.method.toUpperCase()} ${op.path} with ${name}`, async () => {
          const res = await send(op.method.toUpperCase(), fullPath(op), init);
          expectError(res, 415);
          expect(res.body.error).to.match(/application\/json/);
          expect(res.headers.get("accept")).to.equal("application/json");
        });
      }
    }
    for (const op of apiOperations.filter((o) => !o.request?.body && o.method !== "get" && o.auth === "bearer")) {
      it(`${op.method.toUpperCase()} ${op.path} (takes no body): a text body is 415, no body is served`, async () => {
        const path = fullPath(op);
        expectError(await send(op.method.toUpperCase(), path, { body: "x", headers: { "content-type": "text/plain" } }), 415);
        // Served: refused for its made-up id, or done (sign-out everywhere needs nothing else).
        expect((await send(op.method.toUpperCase(), path)).status).to.be.oneOf([204, 400, 404]);
      });
    }
    it("JSON types are read: application/json with a charset, a +json type", async () => {
      const api = t.client(key);
      for (const [type, hostname] of [["application/json; charset=utf-8", "charset.example.com"], ["application/merge-patch+json", "plus.example.com"]]) {
        const res = await api.request("POST", "/domains", JSON.stringify({ hostname }), { "content-type": type! });
        expect(res.status, type).to.equal(201);
      }
    });
    it("a charset or Content-Encoding the server cannot read is 415 too", async () => {
      const api = t.client(key);
      expectError(await api.request("POST", "/domains", '{"hostname": "l.example.com"}', { "content-type": "application/json; charset=klingon" }), 415);
      expectError(await api.request("POST", "/domains", '{"hostname": "e.example.com"}', { "content-encoding": "compress-9000" }), 415);
    });
    it("authentication comes first: without a key, a 401", async () => {
      const res = await fetch(`${t.url}/api/v1/domains`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
      expect(res.status).to.equal(401);
    });
    it("nothing was created by the refused requests", async () => {
      const list = await t.client(key).get("/domains");
      expect(list.body.data.map((d: { hostname: string }) => d.hostname).sort()).to.deep.equal(["charset.example.com", "plus.example.com"]);
    });
  });

  describe("413 for a body over the limit", () => {
    const json = { "content-type": "application/json" };
    const domainsBefore = async () => (await t.client(key).get("/domains")).body.pagination.total as number;
    const cases: Record<string, { path: string; body: string | Uint8Array; headers: Record<string, string> }> = {
      "POST /domains over 16 KiB": { path: "/api/v1/domains", body: JSON.stringify({ hostname: "big.example.com", notes: "x".repeat(17 * 1024) }), headers: json },
      "PUT /alert-settings over 16 KiB": { path: "/api/v1/alert-settings", body: JSON.stringify({ ssl_thresholds: [1], pad: "x".repeat(17 * 1024) }), headers: json },
      "POST /domains/bulk over its own 2 MiB": {
        path: "/api/v1/domains/bulk",
        body: JSON.stringify({ domains: [{ hostname: "bulk.example.com", notes: "x".repeat(2 * 1024 * 1024) }] }),
        headers: json,
      },
      // The limit applies to the inflated body: a small gzip that inflates past it is refused.
      "a gzip body that inflates past 16 KiB": {
        path: "/api/v1/domains",
        body: gzipSync(JSON.stringify({ hostname: "zip.example.com", notes: " ".repeat(64 * 1024) })),
        headers: { ...json, "content-encoding": "gzip" },
      },
    };
    for (const [name, init] of Object.entries(cases)) {
      it(name, async () => {
        const before = await domainsBefore();
        const res = await send(name.startsWith("PUT") ? "PUT" : "POST", init.path, init);
        expectError(res, 413);
        expect((res.body as { error: string }).error).to.match(/too large \(limit \d+ bytes\)/);
        expect(await domainsBefore()).to.equal(before);
      });
    }
    it("neighbours: a body just under the limit is read (and judged on its content)", async () => {
      const res = await send("POST", "/api/v1/domains", { body: JSON.stringify({ hostname: "under.example.com", notes: "x".repeat(15 * 1024) }), headers: json });
      expectError(res, 400);
      expect((res.body as { error: string }).error).to.include("notes");
    });
  });

  describe("405 with Allow for a known path and another method", () => {
    const paths = new Map<string, Set<string>>();
    for (const op of apiOperations) {
      const template = `${op.server === "/" ? "" : (op.server ?? "/api/v1")}${op.path}`;
      paths.set(template, (paths.get(template) ?? new Set()).add(op.method.toUpperCase()));
    }
    for (const [template, methods] of paths) {
      const allowed = [...methods, ...(methods.has("GET") ? ["HEAD"] : []), "OPTIONS"];
      for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"].filter((m) => !methods.has(m))) {
        it(`${method} ${template}`, async () => {
          const res = await send(method, template.replace(/\{[^}]+\}/g, randomUUID()), { body: method === "GET" ? undefined : "{}", headers: { "content-type": "application/json" } });
          expectError(res, 405);
          expect(res.headers.get("allow")?.split(", ").sort()).to.deep.equal([...allowed].sort());
        });
      }
      it(`OPTIONS ${template}: 204 with Allow`, async () => {
        const res = await send("OPTIONS", template.replace(/\{[^}]+\}/g, randomUUID()));
        expect(res.status).to.equal(204);
        expect(res.headers.get("allow")?.split(", ").sort()).to.deep.equal([...allowed].sort());
      });
    }
    it("the issue's case: PATCH /domains/{id}, even without a key", async () => {
      const res = await fetch(`${t.url}/api/v1/domains/${randomUUID()}`, { method: "PATCH" });
      expect(res.status).to.equal(405);
      expect(res.headers.get("allow")).to.equal("GET, PUT, DELETE, HEAD, OPTIONS");
    });
    it("neighbours: an unknown path stays 404, HEAD of a GET route is served, a trailing slash or other case is the same path", async () => {
      expectError(await send("PATCH", "/api/v1/nope"), 404);
      expectError(await send("GET", `/api/v1/domains/${randomUUID()}/nope`), 404);
      expect((await fetch(`${t.url}/api/v1/domains`, { method: "HEAD", headers: { authorization: `Bearer ${key}` } })).status).to.equal(200);
      expectError(await send("PATCH", "/api/v1/domains/"), 405);
      expectError(await send("PATCH", "/API/V1/Domains"), 405);
    });
  });

  describe("rate-limited routes validate before they count", () => {
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver();
    });
    after(async () => receiver?.close());

    /** Many requests the route rejects as malformed, then one it accepts: still its full quota. */
    const cases = [
      {
        route: "POST /check",
        limit: 10,
        setup: async (api: Api) => ({ domain_id: (await api.post("/domains", { hostname: `rl-${randomUUID()}.example.com` })).body.id as string }),
        valid: (api: Api, body: unknown) => api.post("/check", body),
        invalid: [
          (api: Api) => api.post("/check", {}),
          (api: Api) => api.post("/check", { domain_id: "not-a-uuid" }),
          (api: Api) => api.request("POST", "/check", "{oops", { "content-type": "application/json" }),
          (api: Api) => api.request("POST", "/check", "domain_id=x", { "content-type": "application/x-www-form-urlencoded" }),
        ],
      },
      {
        route: "POST /api-keys",
        limit: 5,
        setup: async () => ({ label: "fine" }),
        valid: (api: Api, body: unknown) => api.post("/api-keys", body),
        invalid: [
          (api: Api) => api.post("/api-keys", {}),
          (api: Api) => api.post("/api-keys", { label: "x", permissions: ["admin"] }),
          (api: Api) => api.post("/api-keys", { label: "x", expires_at: "tomorrow" }),
          // Well-formed, but in the past: refused before the quota is taken too (a field report).
          (api: Api) => api.post("/api-keys", { label: "x", expires_at: "2020-01-01T00:00:00Z" }),
        ],
      },
      {
        route: "POST /domains/bulk",
        limit: 30,
        setup: async () => ({ domains: [{ hostname: `bulk-${randomUUID()}.example.com` }] }),
        valid: (api: Api, body: unknown) => api.post("/domains/bulk", body),
        invalid: [
          (api: Api) => api.post("/domains/bulk", {}),
          (api: Api) => api.post("/domains/bulk", { domains: [] }),
          (api: Api) => api.post("/domains/bulk", { domains: "a.example.com" }),
        ],
      },
      {
        route: "POST /webhooks/{id}/test",
        limit: 10,
        setup: async (api: Api) =>
          ({ id: (await api.post("/webhooks", { url: receiver.url, alert_types: ["ssl_expiry"] })).body.id as string }),
        valid: (api: Api, body: unknown) => api.post(`/webhooks/${(body as { id: string }).id}/test`),
        invalid: [(api: Api) => api.post("/webhooks/not-a-uuid/test")],
      },
    ];
    for (const c of cases) {
      it(`${c.route}: ${c.limit * 2} rejected requests (400, 415) use none of the quota of ${c.limit}`, async () => {
        const api = t.client((await t.createUser()).key);
        const valid = await c.setup(api);
        for (let i = 0; i < c.limit * 2; i++) {
          const res = await c.invalid[i % c.invalid.length]!(api);
          expect(res.status, JSON.stringify(res.body)).to.be.oneOf([400, 415]);
          expect(res.headers.get("ratelimit-remaining")).to.equal(null);
        }
        const accepted = await c.valid(api, valid);
        expect(accepted.status, JSON.stringify(accepted.body)).to.be.oneOf([200, 201]);
        expect(accepted.headers.get("ratelimit-remaining")).to.equal(String(c.limit - 1));
        // Neighbour: valid requests do count, up to the 429.
        for (let i = 1; i < c.limit; i++) expect((await c.valid(api, valid)).status).to.be.oneOf([200, 201]);
        expectError(await c.valid(api, valid), 429);
        // And a malformed request past the quota is told what is wrong with it.
        expectError(await c.invalid[0]!(api), 400);
      });
    }
  });

  describe("query parameters an operation does not take are a 400", () => {
    it("on operations without query parameters; those with a query schema name the unknown one as before", async () => {
      const domain = await send("POST", "/api/v1/domains", { body: JSON.stringify({ hostname: "query.example.com" }), headers: { "content-type": "application/json" } });
      for (const path of [`/api/v1/domains/${(domain.body as { id: string }).id}?expand=all`, "/api/v1/alert-settings?x=1"]) {
        const res = await send("GET", path);
        expect(res.status, path).to.equal(400);
        expect((res.body as { error: string }).error, path).to.match(/^Unknown query parameter\(s\): /);
      }
      expect((await send("GET", "/api/v1/domains?colour=red")).status).to.equal(400);
      expect((await send("GET", "/api/v1/domains?page=1")).status).to.equal(200);
      expect((await send("GET", "/health?probe=k8s")).status).to.equal(200);
    });
  });

  describe("the start-up log line names the address actually bound", () => {
    for (const host of ["0.0.0.0", "127.0.0.1"]) {
      it(`HOST=${host}`, async () => {
        const lines: Record<string, unknown>[] = [];
        const logger = createLogger("info", {}, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
        const server = await startServer(testConfig(t.db.url, { HOST: host, SSLTRACKR_SCHEDULER: "false" }), { logger });
        try {
          const port = Number(new URL(server.url).port);
          const listening = lines.find((l) => l["message"] === "listening");
          expect(listening).to.include({ address: host, port, url: `http://${host}:${port}/api/v1` });
          expect((await fetch(`${server.url}/health`)).status).to.equal(200);
        } finally {
          await server.close();
        }
      });
    }
  });
});
