import { expect } from "chai";
import { registrableDomain } from "../../../src/checkers/registration/registrableDomain.js";

describe("registrableDomain", () => {
  const cases: Array<[string, string, string]> = [
    ["www.shop.example.co.uk", "example.co.uk", "uk"],
    ["Example.COM.", "example.com", "com"],
    // private suffixes are not registries: github.io is the registration that can lapse
    ["foo.github.io", "github.io", "io"],
    ["x.blogspot.co.uk", "blogspot.co.uk", "uk"],
    ["www.sisäministeriö.fi", "xn--sisministeri-icb5x.fi", "fi"],
    ["пример.рф", "xn--e1afmkfd.xn--p1ai", "xn--p1ai"],
  ];
  for (const [host, domain, tld] of cases) {
    it(`${host} -> ${domain} (.${tld})`, () => {
      expect(registrableDomain(host)).to.deep.include({ domain, tld });
    });
  }

  it("queries IDNs in punycode", () => {
    expect(registrableDomain("www.sisäministeriö.fi")?.hostname).to.equal("www.xn--sisministeri-icb5x.fi");
  });

  for (const bad of ["", "co.uk", "192.0.2.1", "[2001:db8::1]", "exa mple.com"]) {
    it(`has no registrable domain for ${JSON.stringify(bad)}`, () => expect(registrableDomain(bad)).to.equal(undefined));
  }
});
