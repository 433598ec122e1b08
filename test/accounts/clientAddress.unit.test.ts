// Which client a per-IP sign-in limit counts (an IPv6 /64 is one client).
import { expect } from "chai";
import { rateLimitedClient } from "../../src/accounts/clientAddress.js";

describe("rateLimitedClient (unit)", () => {
  it("keeps IPv4 addresses, and takes IPv4-mapped IPv6 ones as IPv4", () => {
    expect(rateLimitedClient("198.51.100.7")).to.equal("198.51.100.7");
    expect(rateLimitedClient("::ffff:198.51.100.7")).to.equal("198.51.100.7");
    expect(rateLimitedClient("::FFFF:127.0.0.1")).to.equal("127.0.0.1");
  });

  it("counts an IPv6 address as its /64, however it is written", () => {
    expect(rateLimitedClient("2001:db8:1:2:a:b:c:d")).to.equal("2001:db8:1:2::/64");
    expect(rateLimitedClient("2001:0db8:0001:0002::1")).to.equal("2001:db8:1:2::/64");
    expect(rateLimitedClient("2001:DB8:1:2:ffff::")).to.equal("2001:db8:1:2::/64");
    expect(rateLimitedClient("2001:db8::1")).to.equal("2001:db8:0:0::/64");
    expect(rateLimitedClient("::1")).to.equal("0:0:0:0::/64");
    expect(rateLimitedClient("fe80::1%eth0")).to.equal("fe80:0:0:0::/64");
    expect(rateLimitedClient("64:ff9b::198.51.100.7")).to.equal("64:ff9b:0:0::/64");
  });

  it("tells apart addresses of different /64s", () => {
    expect(rateLimitedClient("2001:db8:1:2::1")).to.not.equal(rateLimitedClient("2001:db8:1:3::1"));
  });

  it("passes anything else through (the fallback label of an unknown address)", () => {
    expect(rateLimitedClient("unknown")).to.equal("unknown");
  });
});
