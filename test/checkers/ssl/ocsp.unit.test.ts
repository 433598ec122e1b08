// Stapled OCSP parsing: real responses are covered by checkSsl.integration.test.ts (openssl
// ocsp output); here, inputs that must be ignored rather than fail a check.
import { expect } from "chai";
import { parseOcspStaple } from "../../../src/checkers/ssl/ocsp.js";

describe("stapled OCSP parsing", () => {
  it("says nothing about empty, malformed or unsuccessful responses", () => {
    expect(parseOcspStaple(Buffer.alloc(0), "01")).to.equal(null);
    expect(parseOcspStaple(Buffer.from("not der at all"), "01")).to.equal(null);
    expect(parseOcspStaple(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]), "01")).to.equal(null); // malformedRequest
    expect(parseOcspStaple(Buffer.from([0x30, 0x10, 0x0a]), "01")).to.equal(null); // truncated
  });
});
