import { expect } from "chai";
import { normaliseHostname } from "../../src/domains/hostname.js";

const canonical = (input: string) => {
  const result = normaliseHostname(input);
  expect(result, input).to.have.property("ok", true);
  return result.ok ? result.hostname : "";
};

const rejected = (input: string) => {
  const result = normaliseHostname(input);
  expect(result, input).to.have.property("ok", false);
  return result.ok ? "" : result.reason;
};

describe("hostname normalisation (unit)", () => {
  it("lower-cases", () => {
    expect(canonical("WWW.Example.COM")).to.equal("www.example.com");
  });

  it("drops one trailing dot (the DNS root)", () => {
    expect(canonical("example.com.")).to.equal("example.com");
    expect(canonical("EXAMPLE.com.")).to.equal("example.com");
  });

  it("turns an IDN into punycode, so both spellings are one host", () => {
    expect(canonical("bücher.de")).to.equal("xn--bcher-kva.de");
    expect(canonical("BÜCHER.DE")).to.equal("xn--bcher-kva.de");
    expect(canonical("xn--bcher-kva.de")).to.equal("xn--bcher-kva.de");
    expect(canonical("пример.рф")).to.equal("xn--e1afmkfd.xn--p1ai");
  });

  it("keeps ordinary names, digits and inner hyphens", () => {
    for (const h of ["example.com", "a.b", "1x.example.com", "my-host.example.co.uk", "xn--bcher-kva.de"]) {
      expect(canonical(h)).to.equal(h);
    }
  });

  it("rejects IPv4 and IPv6 addresses, bracketed or not", () => {
    for (const ip of ["1.2.3.4", "127.0.0.1", "1.2.3.4.", "::1", "[::1]", "2001:db8::1", "[2001:db8::1]"]) {
      expect(rejected(ip), ip).to.match(/not an IP address|scheme, port/);
    }
  });

  it("rejects numeric forms that resolve like IPs (numeric top-level label)", () => {
    for (const h of ["127.1", "0x7f.0.0.1", "256.1.1.1", "example.123"]) rejected(h);
  });

  it("rejects a single label (not fully qualified)", () => {
    expect(rejected("localhost")).to.match(/fully qualified/);
    expect(rejected("com")).to.match(/fully qualified/);
  });

  it("rejects empty input", () => {
    for (const h of ["", " ", "."]) expect(rejected(h)).to.match(/empty/);
  });

  it("rejects URLs, ports, paths, credentials and inner spaces", () => {
    for (const h of ["http://x.com", "x.com:443", "x.com/path", "user@x.com", "x.com?q", "x.com#f", "exa mple.com", "a\tb.com"]) {
      expect(rejected(h), h).to.match(/scheme, port, path or spaces/);
    }
  });

  it("rejects empty labels and labels starting or ending with a hyphen or holding an underscore", () => {
    for (const h of ["a..b", ".example.com", "example.com..", "-a.com", "a-.com", "_dmarc.example.com"]) rejected(h);
  });

  it("accepts labels up to 63 characters and rejects longer ones", () => {
    expect(canonical(`${"a".repeat(63)}.com`)).to.equal(`${"a".repeat(63)}.com`);
    rejected(`${"a".repeat(64)}.com`);
  });

  it("accepts names up to 253 characters and rejects longer ones", () => {
    const label = "a".repeat(49);
    const max = `${[label, label, label, label, label].join(".")}.com`; // 5*49 + 4 + 4 = 253
    expect(max).to.have.length(253);
    expect(canonical(max)).to.equal(max);
    expect(canonical(`${max}.`)).to.equal(max);
    expect(rejected(`a${max}`)).to.match(/253/);
  });

  it("checks the length of the punycode form, not of the Unicode input", () => {
    const unicode = `${"ü".repeat(60)}.de`;
    expect(unicode.length).to.be.below(64);
    rejected(unicode); // "xn--" + punycode of 60 ü's is longer than 63
  });
});
