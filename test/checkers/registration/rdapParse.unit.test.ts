import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { parseRdap } from "../../../src/checkers/registration/index.js";

import { sharedDataOrSkip } from "../../support/sharedData.js";

interface Expected {
  file: string;
  registrar: string | null;
  created: string | null;
  expires: string | null;
  nameservers: string[];
  dnssec: boolean | null;
}

const instant = (iso: string | null) => (iso === null ? null : Date.parse(iso));

describe("parseRdap on the shared corpus (shared/data/rdap)", function () {
  let dir = "";
  let expected: Record<string, Expected> = {};
  before(function () {
    dir = sharedDataOrSkip(this, "rdap");
    expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8")) as Record<string, Expected>;
  });

  it("reads every field of every answer as expected.json says", () => {
    const diffs: string[] = [];
    for (const [id, e] of Object.entries(expected)) {
      const r = parseRdap(JSON.parse(readFileSync(path.join(dir, e.file), "utf8")));
      const got = {
        registrar: r.registrar,
        created: instant(r.created),
        expires: instant(r.registryExpiry),
        nameservers: r.nameservers,
        dnssec: r.dnssec,
      };
      const want = {
        registrar: e.registrar,
        created: instant(e.created),
        expires: instant(e.expires),
        // lower-cased as the checker reports them; order kept
        nameservers: e.nameservers.map((n) => n.toLowerCase()),
        dnssec: e.dnssec,
      };
      for (const field of Object.keys(want) as Array<keyof typeof want>) {
        if (JSON.stringify(got[field]) !== JSON.stringify(want[field])) {
          diffs.push(`${id}.${field}: expected ${JSON.stringify(want[field])}, got ${JSON.stringify(got[field])}`);
        }
      }
    }
    expect(diffs).to.deep.equal([]);
  });

  it("finds the registrar's RDAP link in Verisign's answer", () => {
    const r = parseRdap(JSON.parse(readFileSync(path.join(dir, "responses/google.com.json"), "utf8")));
    expect(r.referral).to.equal("https://rdap.markmonitor.com/rdap/domain/GOOGLE.COM");
  });

  it("keeps a 'registrar expiration' event apart from the registry's expiration", () => {
    const r = parseRdap(JSON.parse(readFileSync(path.join(dir, "responses/example.com__icann-profile.json"), "utf8")));
    expect(r.registryExpiry).to.equal("2027-12-17T11:53:46.000Z");
    expect(r.registrarExpiry).to.equal("2027-12-16T16:00:00.000Z");
  });
});

describe("parseRdap on hand-written answers", () => {
  const domain = (extra: Record<string, unknown>) => ({
    objectClassName: "domain",
    ldhName: "example.test",
    events: [
      { eventAction: "registration", eventDate: "2001-02-03T04:05:06+03:00" },
      { eventAction: "last update of RDAP database", eventDate: "2024-01-01T00:00:00Z" },
    ],
    nameservers: [{ objectClassName: "nameserver", ldhName: "NS1.EXAMPLE.NET." }, { ldhName: "ns1.example.net" }],
    ...extra,
  });

  it("reads offsets as UTC, no expiration event as null, no secureDNS as null", () => {
    const r = parseRdap(domain({}));
    expect(r.created).to.equal("2001-02-03T01:05:06.000Z");
    expect(r.registryExpiry).to.equal(null);
    expect(r.dnssec).to.equal(null);
    expect(r.nameservers).to.deep.equal(["ns1.example.net"]);
  });

  it("reads an expiration outside the years 0001-9999 as the nearest end of them: nothing could store it", () => {
    const expiring = (eventDate: string) => parseRdap(domain({ events: [{ eventAction: "expiration", eventDate }] })).registryExpiry;
    expect(expiring("0000-06-01T00:00:00Z")).to.equal("0001-01-01T00:00:00.000Z");
    expect(expiring("9999-12-31T23:59:59-05:00")).to.equal("9999-12-31T23:59:59.999Z");
    expect(expiring("+275760-09-13T00:00:00.000Z")).to.equal("9999-12-31T23:59:59.999Z");
    expect(expiring("9999-12-31T00:00:00Z")).to.equal("9999-12-31T00:00:00.000Z");
  });

  it("turns a redacted registrar name into null", () => {
    const entities = [{ roles: ["registrar"], vcardArray: ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "REDACTED FOR PRIVACY"]]] }];
    expect(parseRdap(domain({ entities })).registrar).to.equal(null);
  });

  it("rejects an RDAP error object", () => {
    expect(() => parseRdap({ errorCode: 404, title: "Not Found" })).to.throw("not an RDAP domain object");
  });
});
