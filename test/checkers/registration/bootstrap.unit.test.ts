import { readFileSync } from "node:fs";
import { expect } from "chai";
import {
  BootstrapCache,
  packagedBootstrap,
  parseBootstrap,
  rdapBaseUrls,
} from "../../../src/checkers/registration/rdap/bootstrap.js";
import { sharedDataOrSkip } from "../../support/sharedData.js";
import { startRdapServer, unusedPort, writeBootstrapFile } from "../../support/registryServers.js";

const TABLE = parseBootstrap({
  version: "1.0",
  services: [
    [["uk"], ["https://rdap.nominet.test/uk"]],
    [["co.uk"], ["http://rdap.co-uk.test/", "https://rdap.co-uk.test/"]],
    [["com", "net"], ["https://rdap.verisign.test/com/v1/"]],
  ],
});

describe("RDAP bootstrap (RFC 9224)", () => {
  it("picks the entry matching the most labels, HTTPS first, each ending in /", () => {
    expect(rdapBaseUrls(TABLE, "example.co.uk")).to.deep.equal(["https://rdap.co-uk.test/", "http://rdap.co-uk.test/"]);
    expect(rdapBaseUrls(TABLE, "example.uk")).to.deep.equal(["https://rdap.nominet.test/uk/"]);
    expect(rdapBaseUrls(TABLE, "EXAMPLE.NET")).to.deep.equal(["https://rdap.verisign.test/com/v1/"]);
    expect(rdapBaseUrls(TABLE, "example.de")).to.deep.equal([]);
  });

  it("ships a default from an npm package (freewhois) that covers the big gTLDs", async () => {
    const table = await packagedBootstrap();
    for (const tld of ["com", "net", "org"]) expect(rdapBaseUrls(table, `example.${tld}`)[0]).to.match(/^https:\/\//);
  });

  it("reads the openrdap test file whose base URLs lack the trailing slash", function () {
    const file = sharedDataOrSkip(this, "rdap", "bootstrap", "dns-minimal-openrdap.json");
    const table = parseBootstrap(JSON.parse(readFileSync(file, "utf8")));
    for (const [tlds] of table) for (const url of rdapBaseUrls(table, `example.${tlds[0]}`)) expect(url).to.match(/\/$/);
  });
});

describe("BootstrapCache", () => {
  const base = { fetch, timeoutMs: 2000, ttlMs: 60_000, retryMs: 60_000 };

  it("falls back to the packaged data at once when IANA is unreachable", async () => {
    const port = await unusedPort();
    const cache = new BootstrapCache({ ...base, refreshUrl: `http://127.0.0.1:${port}/rdap/dns.json` });
    const started = Date.now();
    const table = await cache.services();
    expect(Date.now() - started).to.be.below(1000);
    expect(cache.origin).to.equal("package");
    expect(rdapBaseUrls(table, "example.com")).to.have.length.above(0);
  });

  it("uses the live file when reachable and keeps it for the TTL", async function () {
    const file = sharedDataOrSkip(this, "rdap", "bootstrap", "dns.json");
    const server = await startRdapServer(() => ({ body: readFileSync(file, "utf8") }));
    try {
      const cache = new BootstrapCache({ ...base, refreshUrl: `${server.baseUrl}rdap/dns.json` });
      const table = await cache.services();
      await cache.services();
      expect(cache.origin).to.equal("iana");
      expect(server.received).to.deep.equal(["/rdap/dns.json"]);
      expect(rdapBaseUrls(table, "example.com")).to.deep.equal(["https://rdap.verisign.com/com/v1/"]);
    } finally {
      await server.close();
    }
  });

  it("uses an override file instead of IANA and the package", async () => {
    const port = await unusedPort();
    const cache = new BootstrapCache({
      ...base,
      refreshUrl: `http://127.0.0.1:${port}/`,
      override: writeBootstrapFile(["test"], "http://127.0.0.1:1/"),
    });
    expect(rdapBaseUrls(await cache.services(), "example.test")).to.deep.equal(["http://127.0.0.1:1/"]);
    expect(cache.origin).to.equal("override");
  });
});
