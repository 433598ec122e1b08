// `ssltrackr domains import` and `domains export` as a user runs them: child processes talking
// to a real server's API with the user's key, on files of both formats with good, duplicate and
// bad rows.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { startTestServer, type TestServer } from "../support/testServer.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

describe("ssltrackr domains import / export (e2e)", function () {
  this.timeout(90_000);
  let t: TestServer;
  let key: string;
  let dir: string;

  const cli = (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ["bin/ssltrackr.js", "domains", ...args],
        { cwd: REPO, env: { ...process.env, SSLTRACKR_API_URL: t.url, SSLTRACKR_API_KEY: key, ...env }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
      );
    });
  const file = async (name: string, text: string) => {
    const p = path.join(dir, name);
    await writeFile(p, text);
    return p;
  };

  before(async () => {
    t = await startTestServer();
    key = (await t.createUser()).key;
    dir = await mkdtemp(path.join(os.tmpdir(), "ssltrackr-import-"));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("--dry-run checks a file with the API's rules and sends nothing", async () => {
    const list = await file("dry.txt", "# sites\nok.example.com\nbad host\nok.example.com:99999\n");
    const res = await cli(["import", list, "--dry-run", "--json"]);
    expect(res.code, res.stderr).to.equal(1);
    const out = JSON.parse(res.stdout);
    expect(out).to.include({ rows: 3, dry_run: true, valid: 1, invalid: 2 });
    expect(out.problems.map((p: { line: number }) => p.line)).to.deep.equal([3, 4]);
    expect((await t.client(key).get("/domains")).body.pagination.total).to.equal(0);
  });

  it("imports a plain list: added, already monitored, repeated, invalid, each reported by line", async () => {
    await t.client(key).post("/domains", { hostname: "existing.example.com" });
    const list = await file("sites.txt", ["# production", "www.example.com", "api.example.com:8443", "existing.example.com", "www.example.com", "not a host", ""].join("\n"));
    const res = await cli(["import", list]);
    expect(res.code, res.stderr).to.equal(1);
    expect(res.stdout).to.include("line 5: repeats line 2, skipped");
    expect(res.stdout).to.match(/line 6: Invalid hostname: /);
    expect(res.stdout.trim().split("\n").at(-1)).to.equal("rows: 5, created: 2, already monitored: 1, repeated: 1, invalid: 1");
    const hosts = (await t.client(key).get("/domains?per_page=100&sort=hostname&order=asc")).body.data.map((d: { hostname: string; port: number }) => `${d.hostname}:${d.port}`);
    expect(hosts).to.deep.equal(["api.example.com:8443", "existing.example.com:443", "www.example.com:443"]);
  });

  it("imports CSV with a header (tags, notes) and exits 0 when every row is in; a re-import adds nothing", async () => {
    const csv = await file("sites.csv", 'hostname,port,tags,notes\nshop.example.com,443,prod;eu,"main shop, EU"\nblog.example.com,,,\n');
    const first = await cli(["import", csv, "--json"]);
    expect(first.code, first.stderr + first.stdout).to.equal(0);
    expect(JSON.parse(first.stdout)).to.include({ rows: 2, created: 2, already_monitored: 0, invalid: 0 });
    const again = await cli(["import", csv, "--json"]);
    expect(JSON.parse(again.stdout)).to.include({ created: 0, already_monitored: 2 });
    const shop = (await t.client(key).get("/domains?search=shop")).body.data[0];
    expect(shop.tags).to.deep.equal(["prod", "eu"]);
  });

  it("exports the user's domains with their latest facts as CSV and as JSON", async () => {
    const csv = await cli(["export"]);
    expect(csv.code, csv.stderr).to.equal(0);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r["hostname"])).to.deep.equal(["api.example.com", "blog.example.com", "existing.example.com", "shop.example.com", "www.example.com"]);
    expect(Object.keys(rows[0]!)).to.deep.equal(["id", "hostname", "port", "status", "is_active", "ssl_grade", "ssl_days_remaining", "whois_days_remaining", "tags", "notes", "created_at"]);
    expect(rows.find((r) => r["hostname"] === "shop.example.com")).to.include({ tags: "prod;eu", notes: "main shop, EU", status: "pending", is_active: "true", port: "443" });

    const out = path.join(dir, "export.json");
    const json = await cli(["export", "--format", "json", "--out", out]);
    expect(json.code, json.stderr).to.equal(0);
    const exported = JSON.parse(await readFile(out, "utf8")) as { hostname: string }[];
    expect(exported).to.have.length(5);
    expect(exported[0]).to.include.keys("id", "hostname", "status", "ssl_days_remaining");
  });

  it("an export imports again as it is", async () => {
    const out = path.join(dir, "round-trip.csv");
    expect((await cli(["export", "--out", out])).code).to.equal(0);
    const res = await cli(["import", out, "--json"]);
    expect(res.code, res.stdout + res.stderr).to.equal(0);
    expect(JSON.parse(res.stdout)).to.include({ rows: 5, created: 0, already_monitored: 5, invalid: 0 });
  });

  it("an export imports into another account with the same hosts, ports, tags and notes, whatever they hold; no cell starts a spreadsheet formula", async () => {
    // Tags and notes as users may write them (a field report: "a;b" came back as two tags, and
    // "=1+1" went out as a formula).
    const tricky = [
      { hostname: "formula.example.com", port: 8443, tags: ["a;b", "=1+1", "back\\slash", "'quoted", "@home", "-x"], notes: "=HYPERLINK(\"http://evil.example\")" },
      { hostname: "quote.example.com", port: 443, tags: ["+plus", "#ops"], notes: "'starts with an apostrophe" },
      { hostname: "plain.example.com", port: 443, tags: [], notes: "-minus; and, commas \"quoted\"\nsecond line" },
    ];
    const sourceKey = (await t.createUser()).key;
    for (const body of tricky) expect((await t.client(sourceKey).post("/domains", body)).status).to.equal(201);
    const out = path.join(dir, "tricky.csv");
    const res = await cli(["export", "--out", out], { SSLTRACKR_API_KEY: sourceKey });
    expect(res.code, res.stderr).to.equal(0);
    const cells = (parse(await readFile(out, "utf8"), { columns: true }) as Record<string, string>[]).flatMap((r) => Object.values(r));
    expect(cells.filter((c) => /^[=+@\t\r]/.test(c) || /^-(?!\d)/.test(c)), "cells a spreadsheet would run").to.deep.equal([]);

    const target = await t.createUser();
    const imported = await cli(["import", out, "--json"], { SSLTRACKR_API_KEY: target.key });
    expect(imported.code, imported.stdout + imported.stderr).to.equal(0);
    const { body } = await t.client(target.key).get("/domains?per_page=100&sort=hostname&order=asc");
    const details = await Promise.all(body.data.map(async (d: { id: string }) => (await t.client(target.key).get(`/domains/${d.id}`)).body));
    expect(details.map((d) => ({ hostname: d.hostname, port: d.port, tags: d.tags, notes: d.notes }))).to.deep.equal(
      [...tricky].sort((a, b) => a.hostname.localeCompare(b.hostname)),
    );
  });

  it("usage mistakes exit 2; a file or an API it cannot use is one clear line, exit 1", async () => {
    expect((await cli(["import"])).code).to.equal(2);
    expect((await cli(["export", "--format", "xml"])).code).to.equal(2);
    expect((await cli(["--help"])).code).to.equal(0);
    expect((await cli(["import", "--help"])).stdout).to.include("usage: ssltrackr domains import");
    const badHeader = await cli(["import", await file("bad.csv", "host,prt\na.example.com,443\n")]);
    expect(badHeader.code).to.equal(2);
    // A quote never closed: the file as a whole, one line, no stack trace (field report).
    const unclosed = await cli(["import", await file("unclosed.csv", 'hostname,notes\na.example.com,"never closed\n')]);
    expect(unclosed.code, unclosed.stderr).to.equal(2);
    expect(unclosed.stderr).to.match(/the CSV cannot be read/).and.not.match(/\n\s+at /);
    expect(badHeader.stderr).to.include("a CSV header must name a hostname column");
    const missing = await cli(["import", path.join(dir, "no-such-file.txt")]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^ssltrackr domains: ENOENT: no such file or directory/);
    const down = await cli(["export", "--url", "http://127.0.0.1:1"]);
    expect(down.code).to.equal(1);
    expect(down.stderr.trim()).to.match(/^ssltrackr domains: cannot reach the API at http:\/\/127\.0\.0\.1:1/);
    expect((await cli(["export", "--url", "not a url"])).code).to.equal(2);
    expect((await cli(["export"], { SSLTRACKR_API_KEY: "" })).stderr).to.include("an API key is needed");
    const wrong = await cli(["export", "--key", "ssa_live_wrong"]);
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr.trim()).to.equal("ssltrackr domains: GET /domains answered 401: Missing or invalid API key");
  });
});
