// SSRF guard and name resolution (src/infrastructure/network/targets.ts), used by the SSL
// checker first and by webhook delivery later.
import { expect } from "chai";
import { isPublicAddress, normalizeHostname, resolveTarget, TargetError } from "../../../src/infrastructure/network/targets.js";

async function rejection(promise: Promise<unknown>): Promise<TargetError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(TargetError);
    return err as TargetError;
  }
  throw new Error("expected a rejection");
}

const fixedLookup = (answers: Record<string, string[]>) => async (host: string) => {
  const found = answers[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return found;
};

describe("isPublicAddress", () => {
  const nonPublic = [
    "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.10",
    "198.51.100.7", "203.0.113.9", "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
    "2001:db8::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "64:ff9b::a00:1",
  ];
  for (const ip of nonPublic) {
    it(`refuses ${ip}`, () => expect(isPublicAddress(ip)).to.equal(false));
  }
  for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
    it(`accepts ${ip}`, () => expect(isPublicAddress(ip)).to.equal(true));
  }
  it("treats non-addresses as not public", () => {
    expect(isPublicAddress("example.com")).to.equal(false);
    expect(isPublicAddress("")).to.equal(false);
  });
});

describe("normalizeHostname", () => {
  it("lower-cases and drops a trailing dot and IPv6 brackets", () => {
    expect(normalizeHostname("WWW.Example.COM.")).to.equal("www.example.com");
    expect(normalizeHostname("[2001:db8::1]")).to.equal("2001:db8::1");
  });
  it("rejects what cannot be a hostname", () => {
    for (const bad of ["", "a b", "-x.com", "x..com", "http://x.com", `${"a".repeat(64)}.com`]) {
      expect(() => normalizeHostname(bad), bad).to.throw(TargetError).with.property("reason", "invalid_target");
    }
  });
});

describe("resolveTarget", () => {
  it("returns the resolver's addresses, de-duplicated, in order", async () => {
    const lookup = fixedLookup({ "example.com": ["93.184.216.34", "2606:2800:220:1::1", "93.184.216.34"] });
    expect(await resolveTarget("Example.com", { allowPrivate: false, lookup })).to.deep.equal(["93.184.216.34", "2606:2800:220:1::1"]);
  });

  it("uses overrides instead of DNS, several addresses per host", async () => {
    const lookup = fixedLookup({});
    const resolveOverrides = new Map([["lb.test", ["127.0.0.1", "127.0.0.2"]]]);
    expect(await resolveTarget("lb.test", { allowPrivate: true, resolveOverrides, lookup })).to.deep.equal(["127.0.0.1", "127.0.0.2"]);
  });

  it("takes a *.parent override for every name under parent, the nearest first, an exact key before it", async () => {
    const lookup = async () => ["8.8.8.8"];
    const resolveOverrides = new Map([
      ["*.example.test", ["127.0.0.2"]],
      ["*.b.example.test", ["127.0.0.3"]],
      ["exact.b.example.test", ["127.0.0.4"]],
    ]);
    const resolve = (host: string) => resolveTarget(host, { allowPrivate: true, resolveOverrides, lookup });
    expect(await resolve("a.example.test")).to.deep.equal(["127.0.0.2"]);
    expect(await resolve("x.y.example.test")).to.deep.equal(["127.0.0.2"]);
    expect(await resolve("x.b.example.test")).to.deep.equal(["127.0.0.3"]);
    expect(await resolve("exact.b.example.test")).to.deep.equal(["127.0.0.4"]);
    // The parent itself is not under it; nor is a name that merely ends alike.
    expect(await resolve("example.test")).to.deep.equal(["8.8.8.8"]);
    expect(await resolve("anexample.test")).to.deep.equal(["8.8.8.8"]);
  });

  it("takes IP literals as they are", async () => {
    expect(await resolveTarget("8.8.4.4", { allowPrivate: false, lookup: fixedLookup({}) })).to.deep.equal(["8.8.4.4"]);
  });

  it("refuses private targets by default, with a message naming the address and the setting", async () => {
    const err = await rejection(resolveTarget("localhost", { allowPrivate: false, lookup: fixedLookup({ localhost: ["127.0.0.1"] }) }));
    expect(err.reason).to.equal("private_address");
    expect(err.message).to.contain("127.0.0.1").and.to.contain("SSLTRACKR_ALLOW_PRIVATE_TARGETS");
  });

  it("refuses a name when any of its addresses is private", async () => {
    const lookup = fixedLookup({ "mixed.test": ["93.184.216.34", "10.0.0.5"] });
    expect((await rejection(resolveTarget("mixed.test", { allowPrivate: false, lookup }))).reason).to.equal("private_address");
  });

  it("applies the guard to overridden and literal addresses too", async () => {
    const resolveOverrides = new Map([["x.test", ["169.254.169.254"]]]);
    expect((await rejection(resolveTarget("x.test", { allowPrivate: false, resolveOverrides }))).reason).to.equal("private_address");
    expect((await rejection(resolveTarget("[::1]", { allowPrivate: false }))).reason).to.equal("private_address");
  });

  it("reports DNS failures and timeouts as dns_failure", async () => {
    const missing = await rejection(resolveTarget("nope.test", { allowPrivate: false, lookup: fixedLookup({}) }));
    expect(missing.reason).to.equal("dns_failure");
    expect(missing.message).to.contain("ENOTFOUND");
    const never = () => new Promise<string[]>(() => undefined);
    const slow = await rejection(resolveTarget("slow.test", { allowPrivate: false, lookup: never, timeoutMs: 50 }));
    expect(slow.reason).to.equal("dns_failure");
    expect(slow.message).to.contain("timed out");
  });

  it("rejects overrides that are not IP addresses", async () => {
    const resolveOverrides = new Map([["x.test", ["not-an-ip"]]]);
    expect((await rejection(resolveTarget("x.test", { allowPrivate: true, resolveOverrides }))).reason).to.equal("invalid_target");
  });
});
