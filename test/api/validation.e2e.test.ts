import { gzipSync } from "node:zlib";
import { expect } from "chai";
import { WITHOUT_CHECKS, expectError } from "../support/apiHelpers.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

// Every bad input is a 400 with a JSON {"error": string}, never a 500. `mentions` is what the
// message must name, so a case cannot pass for an unrelated reason.
interface BadRequest {
  readonly name: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** {id} is replaced by an existing domain of the caller. */
  readonly path: string;
  /** An object is sent as JSON; a string or Buffer is sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly mentions?: string | RegExp;
}

const JSON_TYPE = { "content-type": "application/json" };
const raw = (name: string, path: string, body: string | Buffer, mentions?: string, method: "POST" | "PUT" = "POST"): BadRequest => ({
  name,
  method,
  path,
  body,
  headers: JSON_TYPE,
  ...(mentions ? { mentions } : {}),
});
const post = (name: string, body: unknown, mentions?: string | RegExp): BadRequest => ({
  name: `POST /domains ${name}`,
  method: "POST",
  path: "/domains",
  body,
  ...(mentions ? { mentions } : {}),
});
const put = (name: string, body: unknown, mentions?: string | RegExp): BadRequest => ({
  name: `PUT /domains/{id} ${name}`,
  method: "PUT",
  path: "/domains/{id}",
  body,
  ...(mentions ? { mentions } : {}),
});
const query = (path: string, mentions?: string | RegExp): BadRequest => ({
  name: `GET ${path}`,
  method: "GET",
  path,
  ...(mentions ? { mentions } : {}),
});

const bodyCases: BadRequest[] = [
  raw("malformed JSON", "/domains", '{"hostname": "example.com"', "JSON"),
  raw("malformed JSON on PUT", "/domains/{id}", "{notes: 'x'}", "JSON", "PUT"),
  raw("a JSON array as body", "/domains", '[{"hostname": "example.com"}]'),
  raw("a JSON string as body", "/domains", '"example.com"', "The body must be a JSON object"),
  raw("a JSON null as body", "/domains", "null", "The body must be a JSON object"),
  raw("a JSON number as body", "/domains", "42", "The body must be a JSON object"),
  raw("an empty body", "/domains", "", "hostname"),
  raw("a JSON array as PUT body", "/domains/{id}", "[]", undefined, "PUT"),
  {
    name: "a gzip body that is not gzip",
    method: "POST",
    path: "/domains",
    body: "this is not gzip",
    headers: { ...JSON_TYPE, "content-encoding": "gzip" },
  },
  {
    name: "a truncated gzip body",
    method: "POST",
    path: "/domains",
    body: gzipSync('{"hostname": "gzip.example.com"}').subarray(0, 12),
    headers: { ...JSON_TYPE, "content-encoding": "gzip" },
  },
];

const domainFieldCases: BadRequest[] = [
  post("without hostname", {}, "hostname"),
  post("with hostname as a number", { hostname: 42 }, "hostname"),
  post("with hostname null", { hostname: null }, "hostname"),
  post('with port "443" (a string)', { hostname: "a.example.com", port: "443" }, "port"),
  post("with port 0", { hostname: "a.example.com", port: 0 }, "port"),
  post("with port 65536", { hostname: "a.example.com", port: 65536 }, "port"),
  post("with port 1.5", { hostname: "a.example.com", port: 1.5 }, "port"),
  post("with port -443", { hostname: "a.example.com", port: -443 }, "port"),
  post("with tags not an array", { hostname: "a.example.com", tags: "production" }, "tags"),
  post("with a tag that is not a string", { hostname: "a.example.com", tags: [1] }, "tags"),
  post("with a tag over 50 characters", { hostname: "a.example.com", tags: ["x".repeat(51)] }, "tags"),
  post("with 11 tags", { hostname: "a.example.com", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "tags"),
  post("with notes over 500 characters", { hostname: "a.example.com", notes: "x".repeat(501) }, "notes"),
  post("with notes as a number", { hostname: "a.example.com", notes: 5 }, "notes"),
  post("with an unknown field", { hostname: "a.example.com", colour: "blue" }, /Unknown field.*colour/),
  post("with is_active (not a create field)", { hostname: "a.example.com", is_active: false }, /Unknown field.*is_active/),
  post("with a __proto__ field", JSON.parse('{"hostname": "a.example.com", "__proto__": {"admin": true}}'), /Unknown field/),
  put('with port "8443" (a string)', { port: "8443" }, "port"),
  put("with port 0", { port: 0 }, "port"),
  put("with port 65536", { port: 65536 }, "port"),
  put("with port 1.5", { port: 1.5 }, "port"),
  put('with is_active "false" (a string)', { is_active: "false" }, "is_active"),
  put("with hostname null", { hostname: null }, "hostname"),
  put("with tags not an array", { tags: "web" }, "tags"),
  put("with 11 tags", { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "tags"),
  put("with a tag over 50 characters", { tags: ["y".repeat(51)] }, "tags"),
  put("with notes over 500 characters", { notes: "n".repeat(501) }, "notes"),
  put("with an unknown field", { hostnme: "typo.example.com" }, /Unknown field.*hostnme/),
];

const invalidHostnames = [
  "1.2.3.4",
  "::1",
  "[2001:db8::1]",
  "localhost",
  "a..b",
  "http://x.com",
  "x.com:443",
  "x.com/path",
  "exa mple.com",
  "",
  "-bad.example.com",
  `${"a".repeat(64)}.example.com`,
];
const hostnameCases: BadRequest[] = invalidHostnames.flatMap((hostname) => [
  post(`with hostname ${JSON.stringify(hostname)}`, { hostname }, "hostname"),
  put(`with hostname ${JSON.stringify(hostname)}`, { hostname }, "hostname"),
]);

const queryCases: BadRequest[] = [
  query("/domains?per_page=0", "per_page"),
  query("/domains?per_page=101", "per_page"),
  query("/domains?per_page=abc", "per_page"),
  query("/domains?per_page=-1", "per_page"),
  query("/domains?per_page=2.5", "per_page"),
  query("/domains?per_page=", "per_page"),
  query("/domains?page=0", "page"),
  query("/domains?page=abc", "page"),
  query("/domains?page=-1", "page"),
  query("/domains?status=bogus", "status"),
  query("/domains?sort=bogus", "sort"),
  query("/domains?sort=created_at;drop", "sort"),
  query("/domains?order=bogus", "order"),
  query("/domains?page=1&page=2", "Invalid page: given more than once"),
  query("/reports/expiring?within_days=5&within_days=6", "Invalid within_days: given more than once"),
  query("/reports/expiring?within_days=", "within_days"),
  query("/reports/expiring?within_days=1e2", "within_days"),
  query("/domains?page=99999999999999999999", "Invalid page: Too big: expected number to be <=1000000"),
  query("/domains?status=all&status=valid", "status"),
  query("/domains?sort=hostname&sort=created_at", "sort"),
  query("/domains?foo=bar", /^Unknown query parameter\(s\): foo$/),
  query("/domains?per_page[]=5", /Unknown query parameter/),
  query(`/domains?search=${"a".repeat(254)}`, "search"),
  query("/api-keys?per_page=0", "per_page"),
  query("/api-keys?page=1&page=2", "page"),
  query("/api-keys?label=x", /Unknown query parameter/),
  // Instants nothing can store: the year 0, or the year 10000 once in UTC (src/shared/instant.ts).
  query("/domains?renewal_due_before=0000-01-01T00:00:00Z", "renewal_due_before"),
  query("/domains?renewal_due_before=9999-12-31T23:59:59-05:00", "renewal_due_before"),
  query("/domains/{id}/history?as_of=0000-12-31T23:59:59Z", "as_of"),
  query("/domains/{id}/history?as_of=9999-12-31T23:59:59-00:01", "as_of"),
  put("muted_until in the year 10000 in UTC", { muted_until: "9999-12-31T23:59:59-05:00" }, "muted_until"),
  put("muted_until in the year 0", { muted_until: "0000-01-01T00:00:00Z" }, "muted_until"),
];

const pathCases: BadRequest[] = [
  { name: "GET /domains/{non-uuid}", method: "GET", path: "/domains/not-a-uuid", mentions: "UUID" },
  { name: "GET /domains/{number}", method: "GET", path: "/domains/123", mentions: "UUID" },
  { name: "PUT /domains/{non-uuid}", method: "PUT", path: "/domains/not-a-uuid", body: { notes: "x" }, mentions: "UUID" },
  { name: "DELETE /domains/{non-uuid}", method: "DELETE", path: "/domains/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", mentions: "UUID" },
  { name: "GET /domains/{bad percent-encoding}", method: "GET", path: "/domains/%zz" },
  { name: "GET /domains/{bad UTF-8 percent-encoding}", method: "GET", path: "/domains/%E0%A4%A" },
  { name: "DELETE /api-keys/{non-uuid}", method: "DELETE", path: "/api-keys/key-1", mentions: "UUID" },
];

// POST /api-keys is rate limited per user: each of these runs as a fresh user.
const apiKeyCases: BadRequest[] = [
  { label: undefined },
  { label: "" },
  { label: "   " },
  { label: 7 },
  { label: "x", permissions: ["admin"] },
  { label: "x", permissions: "read" },
  { label: "x", permissions: [] },
  { label: "x", expires_at: "tomorrow" },
  { label: "x", expires_at: "01/01/2030" },
  { label: "x", expires_at: 1893456000 },
  { label: "x", expires_at: "2000-01-01T00:00:00.000Z" },
  { label: "x", expires_at: "9999-12-31T23:59:59-05:00" },
  { label: "x", scope: "all" },
].map((body) => {
  const field = Object.keys(body).find((k) => k !== "label") ?? "label";
  return {
    name: `POST /api-keys with ${JSON.stringify(body)}`,
    method: "POST" as const,
    path: "/api-keys",
    body,
    mentions: field === "scope" ? /Unknown field.*scope/ : field,
  };
});

describe("Input validation (e2e)", () => {
  let t: TestServer;
  let key: string;
  let api: ApiClient;
  let domain: Record<string, unknown> & { id: string };
  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
    key = (await t.createUser()).key;
    api = t.client(key);
    domain = (await api.post("/domains", { hostname: "validation.example.com", notes: "untouched", tags: ["a"] })).body;
  });
  after(async () => t?.close());

  const send = (client: ApiClient, c: BadRequest) =>
    client.request(c.method, c.path.replace("{id}", domain.id), c.body, c.headers);

  const expectBadRequest = async (client: ApiClient, c: BadRequest) => {
    const res = await send(client, c);
    expectError(res, 400);
    if (typeof c.mentions === "string") expect(res.body.error, c.name).to.include(c.mentions);
    else if (c.mentions) expect(res.body.error, c.name).to.match(c.mentions);
  };

  for (const c of [...bodyCases, ...domainFieldCases, ...hostnameCases, ...queryCases, ...pathCases]) {
    it(`400: ${c.name}`, () => expectBadRequest(api, c));
  }

  for (const c of apiKeyCases) {
    it(`400: ${c.name}`, async () => expectBadRequest(t.client((await t.createUser()).key), c));
  }

  it("rejected requests changed nothing", async () => {
    const list = await api.get("/domains");
    expect(list.body.pagination.total).to.equal(1);
    expect((await api.get(`/domains/${domain.id}`)).body).to.deep.equal(domain);
  });

  // A known path with another method is a 405, a non-JSON body or an unreadable encoding a
  // 415: test/api/httpConventions.e2e.test.ts.
  describe("unknown routes", () => {
    const id = "00000000-0000-4000-8000-000000000000";
    for (const [method, path] of [
      ["GET", "/api/v1/nope"],
      ["GET", `/api/v1/domains/${id}/nope`],
      ["GET", "/api/v2/domains"],
      ["GET", "/api"],
      // (GET / is the dashboard: test/web/webApp.e2e.test.ts.)
      ["POST", "/"],
    ] as const) {
      it(`404 JSON: ${method} ${path}`, async () => {
        const res = await fetch(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
        const body: unknown = JSON.parse(await res.text());
        expectError({ status: res.status, body, headers: res.headers }, 404);
      });
    }
  });
});
