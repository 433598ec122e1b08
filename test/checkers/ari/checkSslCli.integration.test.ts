// `ssltrackr check-ssl` on certificates of the coming years: the lifetime of a 6-day
// certificate and the renewal window its CA's ARI server gives (SSLTRACKR_ACME_DIRECTORIES),
// and a certificate whose issuer serves no ARI.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { startAcmeAriServer, type AcmeAriServer } from "../../support/acmeAriServer.js";
import { createPki, startTlsServer, type Pki, type RunningServer } from "../../support/pki.js";

const bin = fileURLToPath(new URL("../../../bin/ssltrackr.js", import.meta.url));
const HOUR_MS = 3_600_000;
const NOW = Date.now();
const at = (hours: number) => new Date(NOW + hours * HOUR_MS);

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("ssltrackr check-ssl with ACME ARI (CLI, local TLS and ARI servers)", function () {
  this.timeout(30_000);
  let pki: Pki;
  let ari: AcmeAriServer;
  let acmeSite: RunningServer;
  let plainSite: RunningServer;
  let env: Record<string, string>;

  before(async () => {
    pki = await createPki();
    ari = await startAcmeAriServer();
    const root = await pki.createRootCa({ cn: "CLI ARI Root", subject: "/O=CLI ACME CA/CN=CLI ARI Root" });
    const plain = await pki.createRootCa({ cn: "CLI Plain Root" });
    const shortLeaf = await pki.createLeaf(root, { cn: "six.test", sans: ["six.test"], notBefore: at(-24), notAfter: at(5 * 24) });
    acmeSite = await startTlsServer({ leaf: shortLeaf });
    plainSite = await startTlsServer({ leaf: await pki.createLeaf(plain, { cn: "plain.test", sans: ["plain.test"], days: 200 }) });
    const roots = join(pki.dir, "roots.pem");
    await writeFile(roots, root.certPem + plain.certPem);
    env = {
      NODE_EXTRA_CA_CERTS: roots,
      SSLTRACKR_ALLOW_PRIVATE_TARGETS: "true",
      SSLTRACKR_RESOLVE: "six.test=127.0.0.1,plain.test=127.0.0.1",
      SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
      SSLTRACKR_ACME_DIRECTORIES: JSON.stringify({ "CLI ACME CA": ari.directoryUrl }),
    };
  });
  after(async () => {
    await acmeSite?.close();
    await plainSite?.close();
    await ari?.close();
    await pki?.cleanup();
  });

  it("prints the lifetime and the CA's renewal window, and --json carries renewal_info", async () => {
    ari.answer({ window: { start: at(48), end: at(60) }, explanationUrl: "https://ca.test/why", retryAfter: "3600" });
    const { code, stdout, stderr } = await cli(["check-ssl", `six.test:${acmeSite.port}`], env);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.match(/^lifetime +6 days$/m);
    expect(stdout).to.contain(`renewal        ${at(48).toISOString()} to ${at(60).toISOString()} (ARI, ${ari.directoryUrl}; explained at https://ca.test/why)`);
    const json = await cli(["check-ssl", `six.test:${acmeSite.port}`, "--json"], env);
    const parsed = JSON.parse(json.stdout) as { outcome: string; renewal_info: { renewal_window: unknown; outcome: string } };
    expect(parsed.outcome).to.equal("ok");
    expect(parsed.renewal_info).to.deep.include({ outcome: "ok", renewal_window: { start: at(48).toISOString(), end: at(60).toISOString() } });
  });

  it("says when the CA did not answer, and when the issuer has no ARI", async () => {
    ari.answer({ status: 500 });
    const failing = await cli(["check-ssl", `six.test:${acmeSite.port}`], env);
    expect(failing.stdout).to.match(/^renewal +unknown \(renewalInfo .*: HTTP 500\)$/m);
    const plain = await cli(["check-ssl", `plain.test:${plainSite.port}`], env);
    expect(plain.code, plain.stderr).to.equal(0);
    expect(plain.stdout).to.match(/^lifetime +200 days$/m);
    expect(plain.stdout).to.match(/^renewal +no ARI for this issuer/m);
  });
});
