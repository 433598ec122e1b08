import { expect } from "chai";
import { generateSigningSecret, signatureHeader, verifySignature } from "../../src/webhooks/signature.js";

const secret = "whsec_test_secret";
const body = '{"id":"d1","type":"alert.raised"}';
const t = 1767225600; // 2026-01-01T00:00:00Z
const at = (seconds: number) => new Date(seconds * 1000);

describe("webhook signature (unit)", () => {
  it("signs '<t>.<body>' with HMAC-SHA256 of the secret, hex (vector computed with openssl)", () => {
    expect(signatureHeader(secret, t, body)).to.equal(
      "t=1767225600,v1=f7481abc9199ca28e4f1481be05fab95d30b59a2e9963d434179ca76fc041ba8",
    );
  });

  it("verifies its own signature within the tolerance", () => {
    const header = signatureHeader(secret, t, body);
    expect(verifySignature({ secret, header, body, now: at(t + 299) })).to.equal(true);
  });

  it("refuses a changed body, another secret, or a missing or malformed header", () => {
    const header = signatureHeader(secret, t, body);
    const now = at(t);
    expect(verifySignature({ secret, header, body: body.replace("d1", "d2"), now })).to.equal(false);
    expect(verifySignature({ secret: "whsec_other", header, body, now })).to.equal(false);
    expect(verifySignature({ secret, header: undefined, body, now })).to.equal(false);
    expect(verifySignature({ secret, header: "v1=abc", body, now })).to.equal(false);
    expect(verifySignature({ secret, header: `t=${t},v1=zz`, body, now })).to.equal(false);
  });

  it("refuses a signature older or newer than the tolerance (replays)", () => {
    const header = signatureHeader(secret, t, body);
    expect(verifySignature({ secret, header, body, now: at(t + 301) })).to.equal(false);
    expect(verifySignature({ secret, header, body, now: at(t - 301) })).to.equal(false);
    expect(verifySignature({ secret, header, body, now: at(t + 3600), toleranceSeconds: 7200 })).to.equal(true);
  });

  it("accepts a header with several v1 signatures when one matches", () => {
    const good = signatureHeader(secret, t, body).split(",")[1]!;
    const header = `t=${t},v1=${"0".repeat(64)},${good}`;
    expect(verifySignature({ secret, header, body, now: at(t) })).to.equal(true);
  });

  it("generates distinct whsec_ secrets with 192 bits of randomness", () => {
    const a = generateSigningSecret();
    expect(a).to.match(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(generateSigningSecret()).not.to.equal(a);
  });
});
