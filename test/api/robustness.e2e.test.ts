// The standing robustness sweep: malformed requests to every authenticated operation, most of
// them generated from the OpenAPI document's own schemas (every body property with the wrong
// type, with a NUL or a lone surrogate, an unknown property; every query parameter with a NUL
// or an unknown name; every path id malformed), plus hand-written hostile cases. Each must be
// answered with a 4xx JSON {"error"} - never a 5xx, never a hang. A string PostgreSQL cannot
// store is a 400 naming the field. (Database outages: databaseRestart.integration.test.ts.)
import { connect } from "node:net";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { WITHOUT_CHECKS } from "../support/apiHelpers.js";
import { startTestServer, type ApiResponse, type TestServer } from "../support/testServer.js";

type Schema = Record<string, unknown>;
interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly schema: Schema;
}
interface Operation {
  readonly operationId: string;
  readonly security?: readonly unknown[];
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: Schema }> };
  readonly "x-rate-limit"?: unknown;
}
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, Schema> };
}

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** Sent as JSON unless a string (sent as is). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The answer must be a 400 whose message names this. */
  readonly names?: string;
  /** The operation is rate limited: a 429 is an acceptable 4xx once the quota is used. */
  readonly rateLimited: boolean;
}

const METHODS = ["get", "post", "put", "delete"];
const NUL = "bad\u0000value";
const LONE_SURROGATE = "bad\ud800value";

/** A value of the wrong JSON type for a property of `schema`'s type. */
function wrongTypeFor(schema: Schema): unknown {
  const type = schema["type"] ?? (schema["anyOf"] ? (schema["anyOf"] as Schema[])[0]?.["type"] : undefined);
  switch (type) {
    case "string":
      return 12345;
    case "integer":
    case "number":
      return "not a number";
    case "boolean":
      return "yes";
    case "array":
      return "not an array";
    default:
      return ["unexpected"];
  }
}

const isStringy = (schema: Schema): boolean =>
  schema["type"] === "string" ||
  (schema["type"] === "array" && (schema["items"] as Schema | undefined)?.["type"] === "string") ||
  ((schema["anyOf"] as Schema[] | undefined) ?? []).some(isStringy);

/** A string value wherever `schema` takes one (in an array if it is an array of strings). */
const withString = (schema: Schema, text: string): unknown =>
  schema["type"] === "array" ? [text] : text;

function casesFor(doc: OpenApiDocument, pathIds: Record<string, string>): Case[] {
  const cases: Case[] = [];
  const deref = (schema: Schema): Schema => {
    const ref = schema["$ref"];
    return typeof ref === "string" ? deref(doc.components.schemas[ref.split("/").pop()!]!) : schema;
  };
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op || (op.security && op.security.length === 0)) continue; // unauthenticated: probes, the document
      const idFor = pathIds[template] ?? randomUUID();
      const path = template.replace("{id}", idFor);
      const rateLimited = op["x-rate-limit"] !== undefined;
      const base = { method: method.toUpperCase(), rateLimited };
      const label = `${method.toUpperCase()} ${template}`;
      cases.push({ ...base, name: `${label} with a truncated API key`, path, headers: { authorization: "Bearer ssa_" } });
      if (template.includes("{id}")) {
        cases.push({ ...base, name: `${label} with a non-UUID id`, path: template.replace("{id}", "not-a-uuid") });
        cases.push({ ...base, name: `${label} with a NUL in the id`, path: template.replace("{id}", "%00") });
      }
      for (const p of op.parameters?.filter((q) => q.in === "query") ?? []) {
        cases.push({ ...base, name: `${label} ?${p.name} with a NUL`, path: `${path}?${p.name}=a%00b`, names: p.name });
        cases.push({ ...base, name: `${label} ?${p.name} repeated`, path: `${path}?${p.name}=1&${p.name}=2` });
      }
      if (op.parameters?.some((q) => q.in === "query")) {
        cases.push({ ...base, name: `${label} with an unknown query parameter`, path: `${path}?no_such_parameter=1`, names: "no_such_parameter" });
      }
      const body = op.requestBody?.content["application/json"]?.schema;
      if (!body) continue;
      const schema = deref(body);
      const properties = (schema["properties"] ?? {}) as Record<string, Schema>;
      const required = new Set((schema["required"] as string[] | undefined) ?? []);
      cases.push({ ...base, name: `${label} with an array as body`, path, body: [] });
      cases.push({ ...base, name: `${label} with malformed JSON`, path, body: '{"a": ' });
      cases.push({ ...base, name: `${label} with an unknown property`, path, body: { no_such_property: 1 } });
      if (required.size) cases.push({ ...base, name: `${label} without its required properties`, path, body: {} });
      for (const [name, property] of Object.entries(properties)) {
        const p = deref(property);
        // The message names the first problem: this one only when no other field is required.
        const alone = [...required].every((r) => r === name);
        cases.push({ ...base, name: `${label} ${name} of the wrong type`, path, body: { [name]: wrongTypeFor(p) }, ...(alone ? { names: name } : {}) });
        if (isStringy(p)) {
          cases.push({ ...base, name: `${label} ${name} with a NUL`, path, body: { [name]: withString(p, NUL) }, names: name });
          cases.push({ ...base, name: `${label} ${name} with a lone surrogate`, path, body: { [name]: withString(p, LONE_SURROGATE) }, names: name });
        }
      }
      cases.push({ ...base, name: `${label} with a NUL in a property name`, path, body: { "a\u0000b": 1 } });
      cases.push({ ...base, name: `${label} with a malformed Idempotency-Key`, path, body: {}, headers: { "Idempotency-Key": "two words" } });
    }
  }
  return cases;
}

/** Hand-written cases the issue names, beside the generated ones. */
const HOSTILE: readonly Omit<Case, "rateLimited">[] = [
  { name: "notes with a NUL", method: "POST", path: "/domains", body: { hostname: "nul-notes.example.com", notes: "a\u0000b" }, names: "notes" },
  { name: "a tag with a NUL", method: "POST", path: "/domains", body: { hostname: "nul-tag.example.com", tags: ["ok", "a\u0000b"] }, names: "tags.1" },
  { name: "a hostname with a lone surrogate", method: "POST", path: "/domains", body: { hostname: "a\udfff.example.com" }, names: "hostname" },
  { name: "search with a NUL", method: "GET", path: "/domains?search=%00", names: "search" },
  { name: "label with a NUL", method: "POST", path: "/api-keys", body: { label: "a\u0000", permissions: ["read"] }, names: "label" },
  { name: "a webhook description with a lone surrogate", method: "POST", path: "/webhooks", body: { url: "https://hooks.example.com/a", description: "\ud800" }, names: "description" },
  { name: "a webhook URL with a NUL", method: "POST", path: "/webhooks", body: { url: "https://hooks.example.com/\u0000" }, names: "url" },
  { name: "a hostname of 100 KB", method: "POST", path: "/domains", body: { hostname: `${"a".repeat(100_000)}.com` } },
  { name: "a deeply nested body", method: "POST", path: "/domains", body: `${"[".repeat(5000)}${"]".repeat(5000)}` },
  { name: "a port out of range", method: "POST", path: "/domains", body: { hostname: "port.example.com", port: 70000 }, names: "port" },
  { name: "a page of 10^30", method: "GET", path: "/domains?page=1000000000000000000000000000000", names: "page" },
  { name: "a percent-encoding that is not one", method: "GET", path: "/domains/%E0%A4%A" },
  { name: "a JSON body sent as text/plain", method: "POST", path: "/domains", body: '{"hostname":"plain.example.com"}', headers: { "content-type": "text/plain" } },
  { name: "a form body", method: "POST", path: "/domains", body: "hostname=form.example.com", headers: { "content-type": "application/x-www-form-urlencoded" } },
  { name: "a method the path does not serve", method: "PATCH", path: "/domains" },
];

describe("Robustness sweep: malformed requests to every route (e2e)", function () {
  this.timeout(120_000);
  let t: TestServer;
  let key: string;
  let cases: Case[] = [];

  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
    ({ key } = await t.createUser());
    const api = t.client(key);
    const domain = (await api.post("/domains", { hostname: "robust.example.com" })).body as { id: string };
    const webhook = (await api.post("/webhooks", { url: "https://hooks.example.com/robust" })).body as { id: string };
    const doc = (await fetch(`${t.url}/api/v1/openapi.json`).then((r) => r.json())) as OpenApiDocument;
    const pathIds = Object.fromEntries(
      Object.keys(doc.paths).map((p) => [p, p.startsWith("/domains/") ? domain.id : p.startsWith("/webhooks/") ? webhook.id : randomUUID()]),
    );
    cases = [...casesFor(doc, pathIds), ...HOSTILE.map((c) => ({ ...c, rateLimited: c.path === "/api-keys" }))];
  });
  after(async () => t?.close());

  it("has at least 60 cases, across every authenticated operation", () => {
    expect(cases.length).to.be.at.least(60);
    console.log(`      ${cases.length} malformed requests`);
  });

  it("answers every one with a 4xx JSON error, and a string that cannot be stored with a 400 naming the field", async () => {
    const failures: string[] = [];
    const api = t.client(key);
    for (const c of cases) {
      const res: ApiResponse = await api.request(c.method, c.path, c.body, { "content-type": "application/json", ...c.headers });
      const problem = judge(c, res);
      if (problem) failures.push(`${c.name}: ${problem}`);
    }
    expect(failures, failures.join("\n")).to.deep.equal([]);
  });
});

/** Sends `request` as raw bytes and returns the whole answer (the server closes after it). */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("no answer within 5 s")));
  });
}

describe("Requests Node's HTTP parser refuses (e2e)", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer({ env: WITHOUT_CHECKS })));
  after(async () => t?.close());

  for (const [what, request, status] of [
    ["headers over 16 KiB", `GET /api/v1/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ssa_${"x".repeat(20_000)}\r\n\r\n`, 431],
    ["a malformed request line", "GARBAGE\r\n\r\n", 400],
    ["a header name with a space", "GET /api/v1/domains HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400],
  ] as const) {
    it(`answers ${what} with a ${status} JSON error`, async () => {
      const answer = await rawExchange(t.url, request);
      const [head, body] = answer.split("\r\n\r\n");
      expect(head!.split("\r\n")[0]).to.match(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head).to.match(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
      expect(Object.keys(JSON.parse(body!) as object)).to.deep.equal(["error"]);
    });
  }
});

function judge(c: Case, res: ApiResponse): string | undefined {
  const seen = `${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`;
  if (res.status < 400 || res.status >= 500) return `answered ${seen}`;
  if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) return `not JSON: ${seen}`;
  const body = res.body as { error?: unknown };
  if (typeof body?.error !== "string" || Object.keys(body).length !== 1) return `not {"error": string}: ${seen}`;
  if (res.status === 429 && c.rateLimited) return undefined;
  if (c.names !== undefined && (res.status !== 400 || !body.error.includes(c.names))) return `expected a 400 naming ${c.names}, got ${seen}`;
  return undefined;
}
