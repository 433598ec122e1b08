// `ssltrackr serve` as an operator runs it: a real process that shuts down gracefully on
// SIGTERM - in-flight requests finish, projectors stop, pools close - and exits 0.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { apiClient } from "../support/testServer.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

const bin = new URL("../../bin/ssltrackr.js", import.meta.url).pathname;

describe("ssltrackr serve (e2e)", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it("finishes in-flight requests on SIGTERM, logs its stop and exits 0", async () => {
    const env = { ...process.env, DATABASE_URL: db.url, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", SSLTRACKR_SCHEDULER: "false", SSLTRACKR_CHECK_ON_CREATE: "false", SSLTRACKR_DB_POOL_MAX: "4" };
    const created = await new Promise<{ key: string }>((resolve, reject) => {
      const c = spawn(process.execPath, [bin, "users", "create", "--email", `op-${randomUUID()}@example.com`, "--json"], { env });
      let out = "";
      c.stdout.on("data", (d: Buffer) => (out += d.toString()));
      c.on("exit", (code) => (code === 0 ? resolve({ key: (JSON.parse(out) as { api_key: string }).api_key }) : reject(new Error(`users create exited ${code}`))));
    });

    const server = spawn(process.execPath, [bin, "serve"], { env });
    const lines: { message?: string; url?: string }[] = [];
    let buffered = "";
    const listening = new Promise<string>((resolve) => {
      server.stdout.on("data", (d: Buffer) => {
        buffered += d.toString();
        for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
          const line = JSON.parse(buffered.slice(0, i)) as { message?: string; url?: string };
          buffered = buffered.slice(i + 1);
          lines.push(line);
          if (line.message === "listening" && line.url) resolve(line.url.replace(/\/api\/v1$/, ""));
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
    const url = await listening;

    const api = apiClient(url, created.key);
    const inFlight = api.post("/domains", { hostname: "shutdown.example.com" });
    await new Promise((r) => setTimeout(r, 5));
    server.kill("SIGTERM");

    expect((await inFlight).status).to.equal(201);
    expect(await exited).to.equal(0);
    expect(lines.map((l) => l.message)).to.include("stopped");
    // Nothing was lost: a new server on the same database serves the domain.
    const rows = await db.pool.query("select hostname from domains");
    expect(rows.rows.map((r: { hostname: string }) => r.hostname)).to.include("shutdown.example.com");
  });
});
