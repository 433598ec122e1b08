// `ssltrackr users create --password-prompt` and `users set-password` as an operator runs them
// (a child process on a real database), the password on stdin as a script would pipe it;
// then signing in over HTTP with it.
import { execFile, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import type { RunningServer } from "../../src/app/server.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { apiClient, startPeerServer } from "../support/testServer.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("ssltrackr users: passwords (e2e)", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let server: RunningServer;

  const cli = (stdin: string, ...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const env = { ...process.env, DATABASE_URL: db.url, EVENTSTORE_URL: "", LOG_LEVEL: "warn" };
      const child = execFile(process.execPath, ["bin/ssltrackr.js", ...args], { cwd: REPO, env, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      });
      child.stdin!.end(stdin);
    });

  const signIn = (email: string, password: string) => apiClient(server.url).post("/session", { email, password });

  before(async () => {
    db = await createTestDatabase();
    server = await startPeerServer(db.url);
  });
  after(async () => {
    await server?.close();
    await db?.drop();
  });

  it("users create --password-prompt reads the password from stdin's first line; the person can sign in", async () => {
    const res = await cli("a long enough password\nignored second line\n", "users", "create", "--email", "Person@Example.com", "--password-prompt");
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.match(/^Created user [0-9a-f-]{36}\nAPI key \(shown once, store it securely\):\n {2}ssa_\S+\nPassword set: /);
    const signedIn = await signIn("person@example.com", "a long enough password");
    expect(signedIn.status, JSON.stringify(signedIn.body)).to.equal(200);
    expect(signedIn.body.user.email).to.equal("person@example.com");
  });

  it("users create without --password-prompt reads no stdin and sets no password (as before)", async () => {
    const res = await cli("a long enough password\n", "users", "create", "--email", "keyonly@example.com", "--json");
    expect(res.code, res.stderr).to.equal(0);
    expect(Object.keys(JSON.parse(res.stdout) as object)).to.deep.equal(["user_id", "api_key"]);
    expect((await signIn("keyonly@example.com", "a long enough password")).status).to.equal(401);
  });

  it("refuses a password shorter than 15 characters before creating anyone", async () => {
    const res = await cli("too short\n", "users", "create", "--email", "short@example.com", "--password-prompt");
    expect(res.code).to.equal(1);
    expect(res.stderr).to.include("password not accepted: A password needs at least 15 characters");
    const again = await cli("now long enough, really\n", "users", "create", "--email", "short@example.com", "--password-prompt");
    expect(again.code, again.stderr).to.equal(0);
  });

  it("users set-password replaces the password and signs the person out everywhere", async () => {
    const before = await signIn("person@example.com", "a long enough password");
    const cookie = before.headers.get("set-cookie")!.split(";")[0]!;
    const res = await cli("a brand new long password\n", "users", "set-password", "--email", "PERSON@example.com");
    expect(res.code, res.stderr).to.equal(0);
    // This one and the first test's.
    expect(res.stdout).to.equal("Password set for PERSON@example.com; 2 session(s) signed out.\n");
    expect((await apiClient(server.url).request("GET", "/session", undefined, { cookie })).status).to.equal(401);
    expect((await signIn("person@example.com", "a long enough password")).status).to.equal(401);
    expect((await signIn("person@example.com", "a brand new long password")).status).to.equal(200);
  });

  it("users set-password for an address no one has says so, whatever the password (even none)", async () => {
    for (const stdin of ["", "short\n", "a long enough password for nobody\n"]) {
      const res = await cli(stdin, "users", "set-password", "--email", "nobody@example.com");
      expect([res.code, res.stderr], JSON.stringify(stdin)).to.deep.equal([1, "ssltrackr: No user with this e-mail address\n"]);
    }
  });

  /**
   * The command in a pseudo-terminal (util-linux `script`), answering each prompt as it shows:
   * what the terminal showed, and the exit code.
   */
  const inTerminal = (answers: string[], ...args: string[]): Promise<{ code: number | null; shown: string }> =>
    new Promise((resolve) => {
      const command = ["node", "bin/ssltrackr.js", ...args].join(" ");
      const env = { ...process.env, DATABASE_URL: db.url, EVENTSTORE_URL: "", LOG_LEVEL: "warn" };
      const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: REPO, env });
      let shown = "";
      let prompts = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        shown += chunk.toString();
        const seen = shown.match(/New password: |Repeat it: /g)?.length ?? 0;
        for (; prompts < seen; prompts++) child.stdin.write(`${answers[prompts] ?? ""}\r`);
      });
      child.on("exit", (code) => resolve({ code, shown }));
    });
  const hasScript = (() => {
    try {
      execFileSync("script", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  it("reads the password from a terminal without echo, typed twice, and refuses two that differ", async function () {
    if (!hasScript) this.skip();
    expect((await cli("", "users", "create", "--email", "terminal@example.com")).code).to.equal(0);
    const typed = await inTerminal(["terminal typed password", "terminal typed password"], "users", "set-password", "--email", "terminal@example.com");
    expect(typed.code, typed.shown).to.equal(0);
    expect(typed.shown).to.include("Password set for terminal@example.com");
    expect(typed.shown).to.not.include("terminal typed password");
    expect((await signIn("terminal@example.com", "terminal typed password")).status).to.equal(200);
    const differ = await inTerminal(["terminal typed password 2", "terminal typed passwort 2"], "users", "set-password", "--email", "terminal@example.com");
    expect(differ.code).to.equal(1);
    expect(differ.shown).to.include("password not accepted: the passwords do not match");
    expect((await signIn("terminal@example.com", "terminal typed password")).status).to.equal(200);
  });

  it("users set-password refuses an unknown address, and a missing --email with the usage", async () => {
    const unknown = await cli("a long enough password\n", "users", "set-password", "--email", "nobody@example.com");
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include("No user with this e-mail address");
    const usage = await cli("", "users", "set-password");
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.include("usage: ssltrackr users set-password --email <email>");
  });
});
