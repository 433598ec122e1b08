// The README's promise for a fresh machine: `npm start` with nothing configured (no
// DATABASE_URL) builds, starts an embedded PostgreSQL, and serves the API and the dashboard.
// Run as a user runs it: the npm script, in its own process group, stopped with SIGTERM.
import { spawn } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { eventually } from "../support/eventually.js";

const root = new URL("../..", import.meta.url).pathname;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

/** Runs a command to its end; its standard output, or a rejection with everything it said. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${err}${out}`))));
  });
}

/** A JSON log line of the server; npm's own lines and the build's are not JSON. */
function parseLogLine(line: string): { message?: string; url?: string } | null {
  try {
    return line.startsWith("{") ? (JSON.parse(line) as { message?: string; url?: string }) : null;
  } catch {
    return null;
  }
}

describe("npm start on a fresh machine (e2e)", function () {
  this.timeout(240_000);
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "ssltrackr-fresh-"));
  });
  after(async () => {
    // npm can exit before the embedded PostgreSQL has finished its shutdown checkpoint, which
    // still writes into pg_wal: removing the directory then raced it (ENOTEMPTY). PostgreSQL
    // removes postmaster.pid last. Still there after 30 s, the directory goes anyway (rm retries).
    const pidFile = path.join(dataDir, "postmaster.pid");
    const stopped = () => access(pidFile).then(() => false, () => true);
    await eventually("PostgreSQL removes postmaster.pid", stopped, { timeoutMs: 30_000, intervalMs: 100 }).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it("builds, starts an embedded PostgreSQL and serves the dashboard and the API, with no configuration", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
    delete env["DATABASE_URL"];
    const npm = spawn("npm", ["start"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const onData = (d: Buffer) => {
          output += d.toString();
          for (const line of output.split("\n")) {
            const entry = parseLogLine(line);
            if (entry?.message === "listening" && entry.url) resolve(entry.url.replace(/\/api\/v1$/, ""));
          }
        };
        npm.stdout.on("data", onData);
        npm.stderr.on("data", onData);
        void exited.then((code) => reject(new Error(`npm start exited (${code}) before listening:\n${output}`)));
      });

      const page = await fetch(`${base}/`);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-type")).to.match(/^text\/html/);
      const html = await page.text();
      expect(html).to.match(/<script[^>]+type="module"[^>]+src="[^"]+\.js"/);
      const script = /src="([^"]+\.js)"/.exec(html)![1]!;
      expect((await fetch(new URL(script, `${base}/`))).status).to.equal(200);

      expect((await fetch(`${base}/health`)).status).to.equal(200);
      expect((await fetch(`${base}/ready`)).status).to.equal(200);
      // The README's next step: a user made with the CLI (same configuration: the same embedded
      // server, shared while it runs) uses the API.
      const created = await run(process.execPath, [path.join(root, "bin/ssltrackr.js"), "users", "create", "--email", "first@example.com", "--json"], env);
      const { api_key: key } = JSON.parse(created) as { api_key: string };
      const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const added = await fetch(`${base}/api/v1/domains`, { method: "POST", headers: auth, body: JSON.stringify({ hostname: "first.example" }) });
      expect(added.status).to.equal(201);
      const listed = (await (await fetch(`${base}/api/v1/domains`, { headers: auth })).json()) as { data: { hostname: string }[] };
      expect(listed.data.map((d) => d.hostname)).to.deep.equal(["first.example"]);
    } finally {
      if (npm.exitCode === null) process.kill(-npm.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      if (npm.exitCode === null && npm.signalCode === null) process.kill(-npm.pid!, "SIGKILL");
    }
  });
});
