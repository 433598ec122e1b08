import { expect } from "chai";
import { decodeWhois } from "../../../src/checkers/registration/whois/client.js";
import { ianaReferral, lookupServer, packagedWhoisTable, queryLine } from "../../../src/checkers/registration/whois/servers.js";

describe("WHOIS server table (whois npm package)", () => {
  it("knows the big registries and the query syntax they need", async () => {
    const table = await packagedWhoisTable();
    const com = lookupServer(table, "com")!;
    expect(com).to.include({ host: "whois.verisign-grs.com", port: 43 });
    expect(queryLine(com, "example.com")).to.equal("DOMAIN example.com\r\n");
    expect(queryLine(lookupServer(table, "de")!, "example.de")).to.equal("-T dn example.de\r\n");
  });

  it("falls back from a second-level suffix to its TLD", async () => {
    expect(lookupServer(await packagedWhoisTable(), "co.uk")?.host).to.equal("whois.nic.uk");
  });

  it("reads IANA's referral for a TLD", () => {
    expect(ianaReferral("domain:       IO\n\nrefer:        whois.nic.io\n")).to.equal("whois.nic.io");
    expect(ianaReferral("domain:       ZZ\n")).to.equal(undefined);
  });
});

describe("WHOIS answer decoding", () => {
  it("reads UTF-8 as UTF-8 and anything else as Latin-1", () => {
    expect(decodeWhois(Buffer.from("Zone Media OÜ", "utf8"))).to.equal("Zone Media OÜ");
    expect(decodeWhois(Buffer.from("Zone Media OÜ", "latin1"))).to.equal("Zone Media OÜ");
  });

  it("drops a multi-byte character cut by the size cap instead of switching charset", () => {
    const bytes = Buffer.from("Société Générale", "utf8");
    expect(decodeWhois(bytes.subarray(0, 5), true)).to.equal("Soci");
  });
});
