// How alerts say how long ago something expired: whole days since, rounded down (a field
// report: "3 days ago" for about two days, "1 day ago" a minute after).
import { expect } from "chai";
import { expiredAgo, expiryText } from "../../src/monitoring/alertMessages.js";

const EXPIRED = "2026-11-30T15:35:04.000Z";
const after = (ms: number) => new Date(Date.parse(EXPIRED) + ms);
const HOUR = 3_600_000;

describe("alert messages (unit)", () => {
  it("counts the whole days since an expiry, rounded down", () => {
    expect(expiredAgo(EXPIRED, after(60_000))).to.equal("less than a day ago");
    expect(expiredAgo(EXPIRED, after(23 * HOUR))).to.equal("less than a day ago");
    expect(expiredAgo(EXPIRED, after(24 * HOUR))).to.equal("1 day ago");
    expect(expiredAgo(EXPIRED, after(48 * HOUR + 52_000))).to.equal("2 days ago");
  });

  it("says so in an expired certificate's message, beside the date", () => {
    const now = after(48 * HOUR + 52_000);
    // The API's days remaining for it: floor(-2.0006) = -3.
    expect(expiryText("SSL certificate", "self.example.test", EXPIRED, -3, now)).to.deep.equal({
      title: "SSL certificate has expired",
      message: "The SSL certificate for self.example.test expired on 2026-11-30. 2 days ago.",
    });
    expect(expiryText("Domain", "example.test", EXPIRED, -1, after(60_000)).message).to.equal("The domain example.test expired on 2026-11-30. Less than a day ago.");
  });
});
