// `ssltrackr check-ssl` finding a revoked certificate: a child process configured through the
// environment, a local TLS server whose leaf names a local CRL server and OCSP responder.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { sslCheckResultSchema } from "../../../src/checkers/ssl/index.js";
import { createPki, startTlsServer, type Pki, type RunningServer } from "../../support/pki.js";
import { startRevocationServer, type RevocationServer } from "../../support/revocationServers.js";

const bin = fileURLToPath(new URL("../../../bin/ssltrackr.js", import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("ssltrackr check-ssl: revocation", function () {
  this.timeout(30_000);
  let pki: Pki;
  let revoked: RunningServer;
  let ocspOnly: RunningServer;
  let http: RevocationServer;
  let env: Record<string, string>;

  before(async () => {
    pki = await createPki();
    http = await startRevocationServer();
    const root = await pki.createRootCa({ cn: "CLI Revocation Root" });
    const leaf = await pki.createLeaf(root, { cn: "revoked-cli.test", sans: ["revoked-cli.test"], crlUrl: http.url("/root.crl") });
    await pki.revoke(root, leaf, "cessationOfOperation");
    http.route("/root.crl", { crl: await pki.crl(root) });
    http.route("/ocsp", { ocsp: (request) => pki.answerOcsp(root, request) });
    const other = await pki.createLeaf(root, { cn: "ocsp-cli.test", sans: ["ocsp-cli.test"], ocspUrl: http.url("/ocsp") });
    const rootFile = join(pki.dir, "root.pem");
    await writeFile(rootFile, root.certPem);
    [revoked, ocspOnly] = await Promise.all([startTlsServer({ leaf, hsts: "max-age=31536000" }), startTlsServer({ leaf: other, hsts: "max-age=31536000" })]);
    env = {
      NODE_EXTRA_CA_CERTS: rootFile,
      SSLTRACKR_ALLOW_PRIVATE_TARGETS: "true",
      SSLTRACKR_RESOLVE: "revoked-cli.test=127.0.0.1,ocsp-cli.test=127.0.0.1",
      SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
    };
  });
  after(async () => {
    await Promise.all([revoked?.close(), ocspOnly?.close(), http?.close()]);
    await pki?.cleanup();
  });

  it("reports a certificate on its CRL as revoked, graded F, in the summary and in --json (exit 0: the check ran)", async () => {
    const summary = await cli(["check-ssl", `revoked-cli.test:${revoked.port}`], env);
    expect(summary.code).to.equal(0);
    expect(summary.stdout).to.match(/^grade +F /m);
    expect(summary.stdout).to.match(/^revocation +revoked on \S+Z, cessationOfOperation \(CRL\)$/m);
    const json = await cli(["check-ssl", `revoked-cli.test:${revoked.port}`, "--json"], env);
    const result = sslCheckResultSchema.parse(JSON.parse(json.stdout));
    expect(result).to.deep.include({ outcome: "ok", revocation: "revoked", revocation_source: "crl", revocation_reason: "cessationOfOperation", grade: "F" });
  });

  it("asks the OCSP responder, unless SSLTRACKR_OCSP_QUERIES=false", async () => {
    const asked = await cli(["check-ssl", `ocsp-cli.test:${ocspOnly.port}`], env);
    expect(asked.stdout).to.match(/^revocation +good \(OCSP responder\)$/m);
    const before = http.requests("/ocsp");
    const off = await cli(["check-ssl", `ocsp-cli.test:${ocspOnly.port}`], { ...env, SSLTRACKR_OCSP_QUERIES: "false" });
    expect(off.stdout).to.match(/^revocation +unknown: OCSP queries are turned off$/m);
    expect(http.requests("/ocsp")).to.equal(before);
  });
});
