// Strict-Transport-Security parsing (RFC 6797 6.1).
import { expect } from "chai";
import { parseHsts } from "../../../src/checkers/ssl/hsts.js";

describe("HSTS header parsing", () => {
  it("reads max-age, includeSubDomains and preload", () => {
    expect(parseHsts("max-age=31536000; includeSubDomains; preload")).to.deep.equal({
      present: true,
      max_age: 31536000,
      include_subdomains: true,
      preload: true,
      header: "max-age=31536000; includeSubDomains; preload",
      error: null,
    });
  });

  it("is case-insensitive, tolerates spaces and quoted values", () => {
    expect(parseHsts(' MAX-AGE = "600" ;INCLUDESUBDOMAINS')).to.include({ present: true, max_age: 600, include_subdomains: true, preload: false });
  });

  it("treats a missing header, a missing or invalid max-age, and max-age=0 as absent", () => {
    expect(parseHsts(undefined)).to.include({ present: false, max_age: null, header: null });
    expect(parseHsts("includeSubDomains")).to.include({ present: false, max_age: null });
    expect(parseHsts("max-age=soon")).to.include({ present: false, max_age: null });
    expect(parseHsts("max-age=0; includeSubDomains")).to.include({ present: false, max_age: 0, include_subdomains: false });
  });
});
