// Issue #10 §5: every `ssltrackr` command reads the service's config module, so each
// documented variable that concerns a command changes what that command does. Child processes,
// configured only through the environment, against local TLS, RDAP and WHOIS servers.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { createPki, startStallingServer, startTlsServer, type Pki, type RunningServer } from "../support/pki.js";
import { startRdapServer, startWhoisServer, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with exactly the SSLTrackr/Node variables given (none inherited from the test process). */
function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SSLTRACKR_") && k !== "NODE_EXTRA_CA_CERTS" && k !== "DATABASE_URL" && k !== "EVENTSTORE_URL"));
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/ssltrackr.js", ...args], { cwd: REPO, env: { ...inherited, LOG_LEVEL: "warn", ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

const json = (r: CliResult) => JSON.parse(r.stdout) as Record<string, unknown>;

describe("ssltrackr commands and the configuration (e2e)", function () {
  this.timeout(60_000);

  describe("check-ssl", () => {
    let pki: Pki;
    let server: RunningServer;
    let stalling: RunningServer;
    let privateRootFile: string;
    let otherRootFile: string;
    const base = () => ({ SSLTRACKR_ALLOW_PRIVATE_TARGETS: "true", SSLTRACKR_RESOLVE: "private.test=127.0.0.1", SSLTRACKR_CHECK_TIMEOUT_MS: "3000" });

    before(async () => {
      pki = await createPki();
      const [root, other] = await Promise.all([pki.createRootCa({ cn: "Private Root" }), pki.createRootCa({ cn: "Other Root" })]);
      const leaf = await pki.createLeaf(root, { cn: "private.test", sans: ["private.test"] });
      privateRootFile = join(pki.dir, "private-root.pem");
      otherRootFile = join(pki.dir, "other-root.pem");
      await Promise.all([writeFile(privateRootFile, root.certPem), writeFile(otherRootFile, other.certPem)]);
      server = await startTlsServer({ leaf, hsts: "max-age=31536000" });
      stalling = await startStallingServer();
    });
    after(async () => {
      await server?.close();
      await stalling?.close();
      await pki?.cleanup();
    });

    const target = () => `private.test:${server.port}`;

    it("SSLTRACKR_EXTRA_CA_FILE: a private root there is trusted (A+, not T), as in the service", async () => {
      const r = await cli(["check-ssl", target(), "--json"], { ...base(), SSLTRACKR_EXTRA_CA_FILE: privateRootFile });
      expect(r.code, r.stderr).to.equal(0);
      expect(json(r)).to.deep.include({ grade: "A+", chain_valid: true, chain_errors: [] });
      expect((json(r)["chain"] as { subject: string }[]).map((c) => c.subject)).to.deep.equal(["CN=private.test", "CN=Private Root"]);
    });

    it("without any extra root the private chain is untrusted (T)", async () => {
      const r = await cli(["check-ssl", target(), "--json"], base());
      expect(r.code, r.stderr).to.equal(0);
      expect(json(r)).to.deep.include({ grade: "T", chain_valid: false });
    });

    it("NODE_EXTRA_CA_CERTS is trusted when SSLTRACKR_EXTRA_CA_FILE is unset, and no longer once it is set", async () => {
      const viaNode = await cli(["check-ssl", target(), "--json"], { ...base(), NODE_EXTRA_CA_CERTS: privateRootFile });
      expect(json(viaNode)).to.deep.include({ grade: "A+", chain_valid: true });
      const overridden = await cli(["check-ssl", target(), "--json"], { ...base(), NODE_EXTRA_CA_CERTS: privateRootFile, SSLTRACKR_EXTRA_CA_FILE: otherRootFile });
      expect(json(overridden)).to.deep.include({ grade: "T", chain_valid: false });
    });

    it("SSLTRACKR_EXTRA_CA_FILE naming a missing file stops the command with exit 2 and the variable's name", async () => {
      const r = await cli(["check-ssl", target()], { ...base(), SSLTRACKR_EXTRA_CA_FILE: join(pki.dir, "missing.pem") });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain("SSLTRACKR_EXTRA_CA_FILE").and.to.contain("missing.pem");
    });

    it("SSLTRACKR_RESOLVE decides the address connected to", async () => {
      const r = await cli(["check-ssl", target(), "--json"], { ...base(), SSLTRACKR_EXTRA_CA_FILE: privateRootFile, SSLTRACKR_RESOLVE: "private.test=127.0.0.2" });
      expect(r.code).to.equal(1);
      expect(json(r)).to.deep.include({ outcome: "failed", reason: "connection_refused" });
      expect(r.stderr).to.contain(`127.0.0.2:${server.port}`);
    });

    it("SSLTRACKR_CHECK_TIMEOUT_MS bounds the handshake", async () => {
      const r = await cli(["check-ssl", `private.test:${stalling.port}`], { ...base(), SSLTRACKR_CHECK_TIMEOUT_MS: "300" });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain("handshake_timeout").and.to.contain("within 300 ms");
    });

    it("SSLTRACKR_ALLOW_PRIVATE_TARGETS=false refuses a loopback target without connecting", async () => {
      const before = server.servernames.length;
      const r = await cli(["check-ssl", target()], { ...base(), SSLTRACKR_ALLOW_PRIVATE_TARGETS: "false" });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain("private_address");
      expect(server.servernames.length).to.equal(before);
    });
  });

  describe("check-whois", () => {
    let rdap: RegistryServer & { baseUrl: string };
    let whois: RegistryServer;
    let stalledWhois: RegistryServer;
    let bootstrap: string;

    before(async () => {
      rdap = await startRdapServer(() => ({
        body: { objectClassName: "domain", ldhName: "harbour.test", events: [{ eventAction: "expiration", eventDate: "2031-05-06T00:00:00Z" }] },
      }));
      whois = await startWhoisServer(() => ({ body: "Domain Name: HARBOUR.EXAMPLE\r\nRegistrar: Whois Registrar\r\nRegistry Expiry Date: 2032-07-08T00:00:00Z\r\n" }));
      stalledWhois = await startWhoisServer(() => ({ body: "", hang: true }));
      // RDAP for .test only: .example goes to WHOIS.
      bootstrap = writeBootstrapFile(["test"], rdap.baseUrl);
    });
    after(async () => {
      await rdap?.close();
      await whois?.close();
      await stalledWhois?.close();
    });

    it("SSLTRACKR_RDAP_BOOTSTRAP sends the lookup to the RDAP server it names", async () => {
      const r = await cli(["check-whois", "www.harbour.test", "--json"], { SSLTRACKR_RDAP_BOOTSTRAP: bootstrap, SSLTRACKR_CHECK_TIMEOUT_MS: "3000" });
      expect(r.code, r.stderr).to.equal(0);
      expect(json(r)).to.deep.include({ outcome: "ok", source: "rdap", domain: "harbour.test", expiry_date: "2031-05-06T00:00:00.000Z" });
    });

    it("SSLTRACKR_WHOIS_SERVERS sends a TLD without RDAP to the WHOIS server it names", async () => {
      const r = await cli(["check-whois", "harbour.example", "--json"], {
        SSLTRACKR_RDAP_BOOTSTRAP: bootstrap,
        SSLTRACKR_WHOIS_SERVERS: `example=127.0.0.1:${whois.port}`,
        SSLTRACKR_CHECK_TIMEOUT_MS: "3000",
      });
      expect(r.code, r.stderr).to.equal(0);
      expect(json(r)).to.deep.include({ outcome: "ok", source: "whois", registrar: "Whois Registrar", expiry_date: "2032-07-08T00:00:00.000Z" });
    });

    it("SSLTRACKR_CHECK_TIMEOUT_MS bounds a WHOIS server that never answers", async () => {
      const r = await cli(["check-whois", "harbour.example", "--json"], {
        SSLTRACKR_RDAP_BOOTSTRAP: bootstrap,
        SSLTRACKR_WHOIS_SERVERS: `example=127.0.0.1:${stalledWhois.port}`,
        SSLTRACKR_CHECK_TIMEOUT_MS: "300",
      });
      expect(r.code, r.stderr).to.equal(0);
      expect(json(r)).to.deep.include({ outcome: "failed", reason: "timeout" });
      expect(String(json(r)["message"])).to.contain("within 300 ms");
    });
  });

  describe("every command", () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => db?.drop());

    const commands: string[][] = [
      ["serve"],
      ["users", "create", "--email", "config@example.com"],
      ["projections", "status"],
      ["projections", "rebuild"],
      ["scheduler", "status"],
      ["history", "00000000-0000-4000-8000-000000000000"],
      ["check-ssl", "example.com"],
      ["check-whois", "example.com"],
      ["domains", "export", "--key", "ssa_unused"],
    ];
    for (const args of commands) {
      it(`${args.slice(0, 2).join(" ")}: refuses an invalid setting from the shared config module (exit 2, the variable named)`, async () => {
        const r = await cli(args, { DATABASE_URL: db.url, SSLTRACKR_CHECK_TIMEOUT_MS: "soon" });
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.contain("SSLTRACKR_CHECK_TIMEOUT_MS");
      });
    }
  });
});
