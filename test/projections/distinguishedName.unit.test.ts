// Issuer organisation and common name come out of the checker's RFC 4514 strings, escapes
// included, for the analytics tables.
import { expect } from "chai";
import { dnAttribute } from "../../src/checkers/ssl/distinguishedName.js";

describe("dnAttribute (unit)", () => {
  it("reads an attribute wherever it stands", () => {
    const dn = "CN=R11, O=Let's Encrypt, C=US";
    expect([dnAttribute(dn, "CN"), dnAttribute(dn, "O"), dnAttribute(dn, "C")]).to.deep.equal(["R11", "Let's Encrypt", "US"]);
  });

  it("matches the attribute type case-insensitively and only the whole type", () => {
    expect(dnAttribute("CN=x, OU=Unit, O=Org", "o")).to.equal("Org");
  });

  it("keeps escaped commas inside a value", () => {
    expect(dnAttribute("CN=Example CA, O=Example\\, Inc., C=US", "O")).to.equal("Example, Inc.");
  });

  it("decodes hex-escaped UTF-8 and other escaped characters", () => {
    expect(dnAttribute("O=M\\C3\\BCller \\+ S\\C3\\B6hne", "O")).to.equal("Müller + Söhne");
  });

  it("answers null when the name has no such attribute", () => {
    expect(dnAttribute("CN=Self Signed", "O")).to.equal(null);
  });
});
