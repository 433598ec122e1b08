// `ssltrackr history` as an auditor runs it: a domain's events exported as JSON or NDJSON,
// or its state at a past moment.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../support/testServer.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

describe("ssltrackr history (e2e)", function () {
  this.timeout(60_000);
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: "warn" };
      execFile(process.execPath, ["bin/ssltrackr.js", "history", ...args], { cwd: REPO, env }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
      );
    });

  it("exports a domain's events as JSON and NDJSON, and its state as of a moment", async () => {
    const { userId, key } = await t.createUser();
    const api = t.client(key);
    const id = (await api.post("/domains", { hostname: "audited.example.com", notes: "first" })).body.id as string;
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await api.put(`/domains/${id}`, { notes: "second" });

    const json = await cli(id, "--json");
    expect(json.code, json.stderr).to.equal(0);
    const entries = JSON.parse(json.stdout) as { type: string; user_id: string; revision: number }[];
    expect(entries.map((e) => [e.revision, e.type, e.user_id])).to.deep.equal([
      [0, "DomainAdded", userId],
      [1, "DomainUpdated", userId],
    ]);

    const ndjson = await cli(id, "--ndjson");
    const lines = ndjson.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).to.deep.equal(["DomainAdded", "DomainUpdated"]);

    const asOf = await cli(id, "--as-of", between, "--json");
    expect(asOf.code, asOf.stderr).to.equal(0);
    const state = JSON.parse(asOf.stdout) as { revision: number; state: { domain: { notes: string } } };
    expect(state.revision).to.equal(0);
    expect(state.state.domain.notes).to.equal("first");

    const human = await cli(id);
    expect(human.stdout).to.match(/#0 {2}DomainAdded/);
  });

  it("says so for an unknown domain or bad arguments", async () => {
    const missing = await cli("00000000-0000-4000-8000-000000000000");
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include("Domain not found");
    const bad = await cli("not-a-uuid");
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("usage: ssltrackr history");
  });
});
