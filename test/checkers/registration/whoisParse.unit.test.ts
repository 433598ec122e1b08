import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { parseWhois } from "../../../src/checkers/registration/index.js";
import { effectiveExpiry } from "../../../src/checkers/registration/record.js";
import { classifyWhoisAnswer } from "../../../src/checkers/registration/whois/answers.js";
import { parseWhoisDate } from "../../../src/checkers/registration/whois/dates.js";
import { sharedDataOrSkip } from "../../support/sharedData.js";
import { JPRS, NOMINET, REGISTRAR_ANSWER, THIN_REGISTRY } from "./samples.js";

describe("WHOIS dates", () => {
  const cases: Array<[string, string | null]> = [
    ["2017-11-18T19:11:28Z", "2017-11-18T19:11:28.000Z"],
    ["2017-11-18T19:11:28.5Z", "2017-11-18T19:11:28.500Z"],
    ["1997-09-15T00:00:00-0700", "1997-09-15T07:00:00.000Z"],
    ["2011-01-23 00:00:07 +02:00", "2011-01-22T22:00:07.000Z"],
    ["2017-11-18 01:02:03 (UTC+9)", "2017-11-17T16:02:03.000Z"],
    ["2017-11-18 01:02:03 (GMT+9:00)", "2017-11-17T16:02:03.000Z"],
    ["2017/06/01 01:05:09 (JST)", "2017-05-31T16:05:09.000Z"],
    ["2008.03.16 01:08:04", "2008-03-16T01:08:04.000Z"],
    ["2012. 05. 19.", "2012-05-19T00:00:00.000Z"],
    ["19990518 #162310", "1999-05-18T00:00:00.000Z"],
    ["14-Feb-1999", "1999-02-14T00:00:00.000Z"],
    ["21-March-2002", "2002-03-21T00:00:00.000Z"],
    ["30th April 2003 at 00:00:00.000", "2003-04-30T00:00:00.000Z"],
    ["May 22 2002", "2002-05-22T00:00:00.000Z"],
    ["Tue Dec 12 00:00:00 GMT 2017", "2017-12-12T00:00:00.000Z"],
    ["07 Oct 2009 10:02 WAT", "2009-10-07T09:02:00.000Z"],
    ["18.11.2017 01:02:03", "2017-11-18T01:02:03.000Z"],
    ["2017-11-18 (YYYY-MM-DD)", "2017-11-18T00:00:00.000Z"],
    ["before 1 January 1996", null],
    ["see at www.register.bg", null],
    ["2017-02-31", null],
    // Four-digit years as written (not 19xx), held to the years 0001-9999 in UTC.
    ["0050-01-02", "0050-01-02T00:00:00.000Z"],
    ["0000-06-01", "0001-01-01T00:00:00.000Z"],
    ["9999-12-31 23:00:00 -05:00", "9999-12-31T23:59:59.999Z"],
  ];
  for (const [raw, iso] of cases) {
    it(`reads "${raw}" as ${iso ?? "no date"}`, () => expect(parseWhoisDate(raw)).to.equal(iso));
  }

  it("reads a zone-less date-time as UTC", () => {
    expect(parseWhoisDate("2020-01-02 03:04:05")).to.equal("2020-01-02T03:04:05.000Z");
  });

  it("settles NN/NN/YYYY by the part above 12, else by the registry's order", () => {
    expect(parseWhoisDate("12/18/2001")).to.equal("2001-12-18T00:00:00.000Z");
    expect(parseWhoisDate("03/02/2020", "dmy")).to.equal("2020-02-03T00:00:00.000Z");
    expect(parseWhoisDate("03/02/2020", "mdy")).to.equal("2020-03-02T00:00:00.000Z");
  });
});

describe("parseWhois on hand-written answers", () => {
  it("reads a thin registry answer and its referral", () => {
    const r = parseWhois(THIN_REGISTRY.replace("{REFERRAL}", "whois.registrar.test"), "com");
    expect(r).to.deep.include({
      registrar: "Example Registrar, Inc.",
      created: "1995-08-14T04:00:00.000Z",
      registryExpiry: "2025-08-13T04:00:00.000Z",
      registrarExpiry: null,
      dnssec: true,
      referral: "whois.registrar.test",
    });
    expect(r.nameservers).to.deep.equal(["a.iana-servers.net", "b.iana-servers.net"]);
    expect(r.statuses).to.deep.equal(["clientDeleteProhibited", "clientTransferProhibited"]);
  });

  it("keeps the registrar's own expiry apart and drops trailing dots", () => {
    const r = parseWhois(REGISTRAR_ANSWER, "com");
    expect(r.registrarExpiry).to.equal("2026-08-13T04:00:00.000Z");
    expect(r.created).to.equal("1995-08-14T04:00:00.000Z");
    expect(r.nameservers).to.deep.equal(["a.iana-servers.net", "b.iana-servers.net"]);
  });

  it("reports the later of registry and registrar expiry", () => {
    expect(effectiveExpiry({ registryExpiry: "2025-08-13T04:00:00.000Z", registrarExpiry: "2026-08-13T04:00:00.000Z" })).to.equal(
      "2026-08-13T04:00:00.000Z",
    );
  });

  it("turns a GDPR placeholder into null, never the placeholder text", () => {
    const r = parseWhois("Domain Name: example.com\nRegistrar: REDACTED FOR PRIVACY\nName Server: ns1.example.net\n", "com");
    expect(r.registrar).to.equal(null);
  });

  it("reads Nominet's indented sections, lower-cases and de-duplicates name servers", () => {
    const r = parseWhois(NOMINET, "uk");
    expect(r.registrar).to.equal("Example Registrar Ltd [Tag = EXAMPLE]");
    expect(r.created).to.equal("1999-02-14T00:00:00.000Z");
    expect(r.registryExpiry).to.equal("2030-02-14T00:00:00.000Z");
    expect(r.nameservers).to.deep.equal(["ns1.example.net", "ns2.example.net"]);
    expect(r.dnssec).to.equal(null);
  });

  it("reads JPRS bracketed keys; an empty signing key means unsigned", () => {
    const r = parseWhois(JPRS, "jp");
    expect(r.created).to.equal("2005-05-30T00:00:00.000Z");
    expect(r.registryExpiry).to.equal("2030-05-31T00:00:00.000Z");
    expect(r.nameservers).to.deep.equal(["ns1.example.jp", "ns2.example.jp"]);
    expect(r.dnssec).to.equal(false);
  });
});

describe("parseWhois on the shared corpus (shared/data/whois)", function () {
  let dir = "";
  let expected: Record<string, { file: string; tld: string }> = {};
  before(function () {
    dir = sharedDataOrSkip(this, "whois");
    expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8")) as typeof expected;
  });

  it("never takes a real answer for a throttle or a not-found", () => {
    const wrong = Object.entries(expected).filter(([, e]) => {
      const text = readFileSync(path.join(dir, e.file), "utf8");
      return ["throttled", "not_found"].includes(classifyWhoisAnswer(text, parseWhois(text, e.tld)).kind);
    });
    expect(wrong.map(([id]) => id)).to.deep.equal([]);
  });

  it("finds the registrar WHOIS referral in Verisign's thin answer for google.com", () => {
    const text = readFileSync(path.join(dir, "google.com.txt"), "utf8");
    expect(parseWhois(text, "com").referral).to.equal("whois.markmonitor.com");
  });
});
