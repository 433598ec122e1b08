// `ssltrackr check-ssl` as a user runs it: a child process configured through the environment,
// trusting a private CA through NODE_EXTRA_CA_CERTS, against a local TLS server.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { parseTarget } from "../../../src/cli/commands/checkSsl.js";
import { sslCheckResultSchema } from "../../../src/checkers/ssl/index.js";
import { createPki, startTlsServer, type Pki, type RunningServer } from "../../support/pki.js";

const bin = fileURLToPath(new URL("../../../bin/ssltrackr.js", import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("ssltrackr check-ssl", function () {
  this.timeout(30_000);
  let pki: Pki;
  let server: RunningServer;
  let env: Record<string, string>;

  before(async () => {
    pki = await createPki();
    const root = await pki.createRootCa({ cn: "CLI Root" });
    const leaf = await pki.createLeaf(root, { cn: "cli.test", sans: ["cli.test"] });
    const rootFile = join(pki.dir, "root.pem");
    await writeFile(rootFile, root.certPem);
    server = await startTlsServer({ leaf, hsts: "max-age=31536000" });
    env = {
      NODE_EXTRA_CA_CERTS: rootFile,
      SSLTRACKR_ALLOW_PRIVATE_TARGETS: "true",
      SSLTRACKR_RESOLVE: "cli.test=127.0.0.1",
      SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
    };
  });
  after(async () => {
    await server.close();
    await pki.cleanup();
  });

  it("--json prints the full result, trusting NODE_EXTRA_CA_CERTS, exit 0", async () => {
    const { code, stdout } = await cli(["check-ssl", `cli.test:${server.port}`, "--json"], env);
    expect(code).to.equal(0);
    const result = sslCheckResultSchema.parse(JSON.parse(stdout));
    expect(result).to.deep.include({ outcome: "ok", hostname: "cli.test", port: server.port, chain_valid: true, grade: "A+", issuer: "CN=CLI Root" });
  });

  it("prints a readable summary without --json", async () => {
    const { code, stdout } = await cli(["check-ssl", `cli.test:${server.port}`], env);
    expect(code).to.equal(0);
    expect(stdout).to.match(/^grade +A\+ \(score 93/m);
    expect(stdout).to.match(/^subject +CN=cli\.test$/m);
    expect(stdout).to.match(/^chain +valid$/m);
    expect(stdout).to.match(/^path +CN=cli\.test <- CN=CLI Root$/m);
    expect(stdout).to.match(/^sent +1 certificate\(s\); no issues$/m);
  });

  it("exits 0 for a bad grade: without the private root, the chain is untrusted", async () => {
    const { code, stdout } = await cli(["check-ssl", `cli.test:${server.port}`], { ...env, NODE_EXTRA_CA_CERTS: "" });
    expect(code).to.equal(0);
    expect(stdout).to.match(/^grade +T /m);
  });

  it("exits 1 with a clear message when the check cannot run", async () => {
    const { code, stderr } = await cli(["check-ssl", `cli.test:${server.port}`], { ...env, SSLTRACKR_ALLOW_PRIVATE_TARGETS: "false" });
    expect(code).to.equal(1);
    expect(stderr).to.contain("private_address").and.to.contain("SSLTRACKR_ALLOW_PRIVATE_TARGETS=true");
  });

  it("exits 2 on usage errors", async () => {
    expect((await cli(["check-ssl"], env)).code).to.equal(2);
    expect((await cli(["check-ssl", "cli.test:99999"], env)).code).to.equal(2);
  });

  it("parses host, host:port and IPv6 forms", () => {
    expect(parseTarget("example.com")).to.deep.equal({ hostname: "example.com", port: 443 });
    expect(parseTarget("example.com:8443")).to.deep.equal({ hostname: "example.com", port: 8443 });
    expect(parseTarget("[2001:db8::1]:8443")).to.deep.equal({ hostname: "2001:db8::1", port: 8443 });
    expect(parseTarget("2001:db8::1")).to.deep.equal({ hostname: "2001:db8::1", port: 443 });
    expect(parseTarget("example.com:")).to.equal(null);
    expect(parseTarget("example.com:0")).to.equal(null);
  });
});
