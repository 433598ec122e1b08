// The `ssltrackr` command as an operator runs it: a child process on a real database.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { allProjections } from "../../projections/index.js";
import type { RunningServer } from "../../src/app/server.js";
import { UUID, WITHOUT_CHECKS } from "../support/apiHelpers.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { apiClient, startPeerServer } from "../support/testServer.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const POSITION = /\d+\/\d+/;

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("ssltrackr CLI (e2e)", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let server: RunningServer | undefined;

  const cli = (...args: string[]): Promise<CliResult> => cliWith({}, ...args);
  const cliWith = (settings: Record<string, string>, ...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const env = { ...process.env, DATABASE_URL: db.url, EVENTSTORE_URL: "", LOG_LEVEL: "warn", ...settings };
      execFile(process.execPath, ["bin/ssltrackr.js", ...args], { cwd: REPO, env, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  let created: { user_id: string; api_key: string };
  before(async () => {
    db = await createTestDatabase();
    const res = await cli("users", "create", "--email", "Operator@Example.com", "--json");
    expect(res.code, res.stderr).to.equal(0);
    created = JSON.parse(res.stdout) as typeof created;
  });
  after(async () => {
    await server?.close();
    await db?.drop();
  });

  it("users create --json prints exactly {user_id, api_key} as one JSON line", async () => {
    expect(created).to.have.all.keys("user_id", "api_key");
    expect(created.user_id).to.match(UUID);
    expect(created.api_key).to.match(/^ssa_[A-Za-z0-9_-]{40,}$/);
    const res = await cli("users", "create", "--email", "second@example.com", "--json");
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.match(/^\{.*\}\n$/);
    const second = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(Object.keys(second)).to.deep.equal(["user_id", "api_key"]);
    expect(second["user_id"]).to.not.equal(created.user_id);
  });

  it("users create without --json prints the user and the key for a human", async () => {
    const res = await cli("users", "create", "--email", "human@example.com");
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.match(/^Created user [0-9a-f-]{36}\nAPI key \(shown once, store it securely\):\n {2}ssa_\S+\n$/);
  });

  it("refuses an email that is already registered, in any letter case, with a clear message", async () => {
    for (const email of ["operator@example.com", "OPERATOR@EXAMPLE.COM"]) {
      const res = await cli("users", "create", "--email", email, "--json");
      expect(res.stdout, email).to.equal("");
      expect(res.stderr.trim(), email).to.equal("ssltrackr: A user with this email already exists");
    }
  });

  it("refuses users create without a valid --email with the usage", async () => {
    for (const args of [[], ["--email", "not-an-email"]]) {
      const res = await cli("users", "create", ...args);
      expect(res.stdout).to.equal("");
      expect(res.stderr).to.include("usage: ssltrackr users create --email <email>");
    }
  });

  it("exits 1 for a duplicate email and 2 for bad usage or an unknown projection", async () => {
    expect((await cli("users", "create", "--email", "operator@example.com")).code).to.equal(1);
    expect((await cli("users", "create")).code).to.equal(2);
    expect((await cli("projections", "rebuild", "nope")).code).to.equal(2);
  });

  it("refuses an unknown option or a stray argument of any command with the usage and exit 2, never a stack trace", async () => {
    for (const args of [
      ["users", "create", "--email", "x@example.com", "--bogus"],
      ["projections", "status", "--bogus"],
      ["projections", "rebuild", "domains", "--bogus"],
      ["projections", "rebuild", "domains", "alerts"],
      ["scheduler", "status", "--bogus"],
      ["history", randomUUID(), "--bogus"],
    ]) {
      const res = await cli(...args);
      expect(res.code, `${args.join(" ")}: ${res.stderr}`).to.equal(2);
      expect(res.stderr, args.join(" ")).to.match(/^ssltrackr: /);
      expect(res.stderr, args.join(" ")).to.not.match(/\n\s+at /);
    }
  });

  it("serve on a port in use says so and exits 2, having stopped what it started", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const res = await cliWith({ PORT: String(port), HOST: "127.0.0.1" }, "serve");
      expect(res.code, res.stderr).to.equal(2);
      expect(res.stderr).to.equal(`ssltrackr: cannot listen on 127.0.0.1:${port} (HOST, PORT): the port is in use\n`);
    } finally {
      taken.close();
    }
  });

  it("projections status prints every projection with its checkpoint, the head and the lag", async () => {
    const res = await cli("projections", "status");
    expect(res.code, res.stderr).to.equal(0);
    const lines = res.stdout.trimEnd().split("\n");
    expect(lines).to.have.length(allProjections.length);
    for (const projection of allProjections) {
      const line = lines.find((l) => l.split(/\s+/)[0] === projection.name);
      expect(line, projection.name).to.match(/checkpoint \S+ {2}head \d+\/\d+ {2}lag \d+ {2}events\/s \d+$/);
    }
    // The accounts projection was caught up by `users create`, so it has no lag.
    const accounts = lines.find((l) => l.startsWith("accounts "));
    const [, checkpoint, head] = /checkpoint (\S+) {2}head (\S+) {2}lag 0 {2}events\/s \d+$/.exec(accounts ?? "") ?? [];
    expect(checkpoint).to.match(POSITION).and.equal(head);
  });

  it("projections status --json reports the same as JSON", async () => {
    const res = await cli("projections", "status", "--json");
    expect(res.code, res.stderr).to.equal(0);
    const rows = JSON.parse(res.stdout) as { name: string; checkpoint: string | null; head: string; lag: string }[];
    expect(rows.map((r) => r.name).sort()).to.deep.equal(allProjections.map((p) => p.name).sort());
    const accounts = rows.find((r) => r.name === "accounts");
    expect(accounts).to.include({ lag: "0", checkpoint: accounts?.head, failing_since: null, last_error: null });
  });

  it("projections status names a failing projection, since when and why", async () => {
    const since = new Date(Date.now() - 90_000);
    await db.pool.query("update projection_checkpoints set failing_since = $1, last_error = 'Error: poisoned' where name = 'alerts'", [since]);
    try {
      const text = await cli("projections", "status");
      expect(text.stdout.split("\n").find((l) => l.startsWith("alerts "))).to.match(new RegExp(`  FAILING since ${since.toISOString()}: Error: poisoned$`));
      const json = JSON.parse((await cli("projections", "status", "--json")).stdout) as { name: string }[];
      expect(json.find((r) => r.name === "alerts")).to.include({ failing_since: since.toISOString(), last_error: "Error: poisoned" });
    } finally {
      await db.pool.query("update projection_checkpoints set failing_since = null, last_error = null where name = 'alerts'");
    }
  });

  it("projections rebuild domains rebuilds that projection only; an unknown name is refused", async () => {
    const res = await cli("projections", "rebuild", "domains");
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.match(/^rebuilt domains in \d+\.\ds \(swapped in; reads were served throughout\)\n$/);
    const unknown = await cli("projections", "rebuild", "nope");
    expect(unknown.stdout).to.equal("");
    expect(unknown.stderr).to.include('no projection named "nope"');
  });

  it("projections rebuild --partition k/n: one process per partition, the last one swaps; only per-stream projections", async () => {
    const [a, b] = await Promise.all([cli("projections", "rebuild", "domains", "--partition", "0/2"), cli("projections", "rebuild", "domains", "--partition", "1/2")]);
    expect([a.code, b.code], a.stderr + b.stderr).to.deep.equal([0, 0]);
    const outputs = [a.stdout, b.stdout].sort();
    expect(outputs[0]).to.match(/^rebuilt domains in \d+\.\ds \(swapped in; reads were served throughout\)\n$/);
    expect(outputs[1]).to.match(/^rebuilt partition \d\/2 of domains in \d+\.\ds; the last partition to finish swaps the tables in\n$/);
    const refused = await cli("projections", "rebuild", "accounts", "--partition", "0/2");
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include("per-stream projection");
    expect((await cli("projections", "rebuild", "domains", "--partition", "2/2")).code).to.equal(2);
  });

  it("a server on the same database accepts the printed key, and a rebuild (of domains, then of all) keeps its domains", async () => {
    server = await startPeerServer(db.url, { env: WITHOUT_CHECKS });
    const api = apiClient(server.url, created.api_key);
    expect((await api.get("/domains")).status).to.equal(200);
    const domain = await api.post("/domains", { hostname: "cli.example.com" });
    expect(domain.status).to.equal(201);
    const rebuilt = await cli("projections", "rebuild", "domains");
    expect(rebuilt.code, rebuilt.stderr).to.equal(0);
    expect((await api.get(`/domains/${domain.body.id}`)).body).to.deep.equal(domain.body);
    expect((await api.get("/api-keys")).body.data.map((k: { label: string }) => k.label)).to.deep.equal(["Initial key"]);
    // Every projection at once (one read of the log): the same answers after.
    const all = await cli("projections", "rebuild");
    expect(all.code, all.stderr).to.equal(0);
    expect(all.stdout).to.match(/^rebuilt (\w+, )+\w+ in \d+\.\ds \(swapped in; reads were served throughout\)\n$/);
    expect((await api.get(`/domains/${domain.body.id}`)).body).to.deep.equal(domain.body);
    expect((await api.get("/api-keys")).body.data.map((k: { label: string }) => k.label)).to.deep.equal(["Initial key"]);
  });
});
