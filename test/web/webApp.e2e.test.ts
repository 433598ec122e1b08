// Serving the dashboard from the API process (src/app/webAppRoutes.ts): the built app at /,
// index.html for the app's own paths, long-lived caching of hashed assets only, and the API's
// JSON 404/405 left as they were. Needs the built app (npm run build: dist/web).
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import express from "express";
import { expect } from "chai";
import { defaultWebAppDir, webAppRoutes } from "../../src/app/webAppRoutes.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

describe("The dashboard served at / (e2e)", function () {
  this.timeout(20_000);
  let t: TestServer;
  let script: string;

  before(async () => {
    const dir = defaultWebAppDir();
    if (!existsSync(join(dir, "index.html"))) throw new Error("dist/web is not built: run `npm run build` first");
    const found = readdirSync(join(dir, "assets")).find((f) => /^index-[\w-]+\.js$/.test(f));
    if (!found) throw new Error("no hashed script in dist/web/assets");
    script = found;
    t = await startTestServer();
  });
  after(() => t?.close());

  const get = (path: string, init?: RequestInit) => fetch(`${t.url}${path}`, init);

  for (const path of ["/", "/domains/3f1c2c38-5a43-4d4c-9c55-1f0a1e3c9b7e", "/settings", "/no/such/page"]) {
    it(`answers index.html for ${path}, revalidated, with a same-origin CSP and no framing`, async () => {
      const res = await get(path);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^text\/html/);
      expect(res.headers.get("cache-control")).to.equal("no-cache");
      expect(res.headers.get("content-security-policy")).to.contain("script-src 'self'").and.contain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).to.equal("DENY");
      expect(await res.text()).to.contain('<div id="root"></div>').and.contain(`/assets/${script}`);
    });
  }

  it("serves hashed assets cached for a year, immutable", async () => {
    const res = await get(`/assets/${script}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/javascript/);
    expect(res.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).to.equal("nosniff");
  });

  it("answers a missing asset or file 404, not the app", async () => {
    for (const path of ["/assets/index-missing.js", "/favicon.ico", "/robots.txt"]) {
      const res = await get(path);
      expect(res.status, path).to.equal(404);
      expect(res.headers.get("content-type"), path).to.match(/^application\/json/);
    }
  });

  it("leaves the API's JSON 404 and 405, health and the OpenAPI document as they were", async () => {
    const { key } = await t.createUser();
    const authorization = { authorization: `Bearer ${key}` };
    for (const path of ["/api/v1/no-such-thing", "/api/v1", "/api/v2/domains", "/api"]) {
      const missing = await get(path, { headers: authorization });
      expect(missing.status, path).to.equal(404);
      expect(await missing.json(), path).to.have.property("error");
    }
    expect((await get("/api/v1/no-such-thing")).status, "without a key: 401 as before").to.equal(401);
    const wrongMethod = await get("/api/v1/domains", { method: "PATCH" });
    expect(wrongMethod.status).to.equal(405);
    expect(wrongMethod.headers.get("allow")).to.contain("GET");
    expect((await get("/api/v1/domains")).status, "the API still wants a key or session").to.equal(401);
    expect(await (await get("/health")).json()).to.deep.equal({ status: "ok" });
    expect((await get("/api/v1/openapi.json")).headers.get("content-type")).to.match(/^application\/json/);
  });

  it("answers writes to page paths with the JSON 404, not the app", async () => {
    const res = await get("/settings", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).to.equal(404);
    expect(res.headers.get("content-type")).to.match(/^application\/json/);
  });

  it("says how to build the app when dist/web is missing, instead of a blank page", async () => {
    const empty = await mkdtemp(join(tmpdir(), "ssltrackr-web-"));
    const server = express().use(webAppRoutes(empty)).listen(0, "127.0.0.1");
    try {
      await new Promise((resolve) => server.once("listening", resolve));
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/domains`);
      expect(res.status).to.equal(503);
      expect(await res.text()).to.contain("npm run build");
    } finally {
      server.close();
      await rm(empty, { recursive: true });
    }
  });
});
