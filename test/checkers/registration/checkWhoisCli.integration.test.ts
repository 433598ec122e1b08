// `ssltrackr check-whois` as a user runs it: a child process, configured through the
// environment, answered by a local RDAP server.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { startRdapServer, writeBootstrapFile, type RunningServer } from "../../support/registryServers.js";

const bin = fileURLToPath(new URL("../../../bin/ssltrackr.js", import.meta.url));

const ANSWER = {
  objectClassName: "domain",
  ldhName: "EXAMPLE.COM",
  status: ["client transfer prohibited"],
  events: [
    { eventAction: "registration", eventDate: "1995-08-14T04:00:00Z" },
    { eventAction: "expiration", eventDate: "2099-08-13T04:00:00Z" },
  ],
  entities: [{ objectClassName: "entity", roles: ["registrar"], vcardArray: ["vcard", [["fn", {}, "text", "Example Registrar, Inc."]]] }],
  nameservers: [{ ldhName: "A.IANA-SERVERS.NET" }, { ldhName: "B.IANA-SERVERS.NET" }],
  secureDNS: { delegationSigned: true },
};

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("ssltrackr check-whois", function () {
  this.timeout(30_000);
  let server: RunningServer & { baseUrl: string };
  let env: Record<string, string>;
  before(async () => {
    server = await startRdapServer(() => ({ body: ANSWER }));
    env = { SSLTRACKR_RDAP_BOOTSTRAP: writeBootstrapFile(["com"], server.baseUrl), SSLTRACKR_CHECK_TIMEOUT_MS: "3000" };
  });
  after(() => server.close());

  it("--json prints the spec's fields at the top level plus the extras, exit 0", async () => {
    const { code, stdout } = await cli(["check-whois", "www.example.com", "--json"], env);
    expect(code).to.equal(0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).to.include({
      outcome: "ok",
      registrar: "Example Registrar, Inc.",
      created_date: "1995-08-14T04:00:00.000Z",
      expiry_date: "2099-08-13T04:00:00.000Z",
      dnssec: true,
      source: "rdap",
      domain: "example.com",
    });
    expect(out.days_remaining).to.be.a("number");
    expect(out.nameservers).to.deep.equal(["a.iana-servers.net", "b.iana-servers.net"]);
  });

  it("prints a readable summary without --json", async () => {
    const { code, stdout } = await cli(["check-whois", "example.com"], env);
    expect(code).to.equal(0);
    expect(stdout).to.match(/registrar\s+Example Registrar, Inc\./).and.match(/dnssec\s+signed/);
    // which answer gave the expiry
    expect(stdout).to.match(/registry exp\s+2099-08-13T04:00:00\.000Z \(rdap_registry\)/);
  });

  it("exits 2 on a usage error", async () => {
    expect((await cli(["check-whois"], env)).code).to.equal(2);
  });
});
