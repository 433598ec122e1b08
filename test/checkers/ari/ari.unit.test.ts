// The pure parts of ACME ARI (RFC 9773): the certificate identifier (§4.1), which directory an
// issuer maps to (built-in table, SSLTRACKR_ACME_DIRECTORIES), and Retry-After's clamp (§4.3).
import { expect } from "chai";
import { directoryFor, KNOWN_ARI_DIRECTORIES } from "../../../src/checkers/ari/acmeDirectories.js";
import { ariCertificateId } from "../../../src/checkers/ari/certificateId.js";
import { retryAfterMs } from "../../../src/checkers/ari/fetchRenewalInfo.js";
import { formatSerial } from "../../../src/checkers/ssl/certificate.js";
import { authorityKeyIdentifier } from "../../../src/checkers/ssl/revocation/certificateParts.js";
import { acmeDirectories, loadConfig } from "../../../src/config.js";
import { createPki, type Pki } from "../../support/pki.js";

describe("ACME ARI (unit)", () => {
  describe("certificate identifier (RFC 9773 §4.1)", () => {
    it("is the RFC's example: AKI 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4 and serial 00:87:65:43:21", () => {
      expect(ariCertificateId("69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4", "87:65:43:21")).to.equal(
        "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
      );
      // The same serial as DER gives it (leading zero kept) and as hex without separators.
      expect(ariCertificateId("69885b6b87464041e1b37b847ba0ae2cde01c8d4", "0087654321")).to.equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
    });

    it("adds no zero byte to a serial whose high bit is clear, and drops redundant ones", () => {
      expect(ariCertificateId("0102", "7f:01")).to.equal("AQI.fwE");
      expect(ariCertificateId("0102", "00:00:7f:01")).to.equal("AQI.fwE");
    });

    it("is null without an Authority Key Identifier", () => {
      expect(ariCertificateId(null, "01")).to.equal(null);
      expect(ariCertificateId("", "01")).to.equal(null);
    });

    describe("from a real certificate", () => {
      let pki: Pki;
      before(async () => {
        pki = await createPki();
      });
      after(() => pki.cleanup());

      it("reads the AKI keyIdentifier, which is the issuer's subject key identifier", async () => {
        const ca = await pki.createRootCa({ cn: "ARI Unit CA" });
        const leaf = await pki.createLeaf(ca, { cn: "ari.test", sans: ["ari.test"], serial: "8a0b0c" });
        const aki = authorityKeyIdentifier(leaf.x509.raw);
        expect(aki).to.match(/^[0-9a-f]{40}$/);
        // The root names itself (keyid:always): its AKI is its own key id, the one the leaf names.
        expect(authorityKeyIdentifier(ca.x509.raw)).to.equal(aki);
        const other = await pki.createRootCa({ cn: "Another CA" });
        expect(authorityKeyIdentifier(other.x509.raw)).to.not.equal(aki);
        expect(ariCertificateId(aki, formatSerial(leaf.x509.serialNumber))).to.equal(`${Buffer.from(aki!, "hex").toString("base64url")}.AIoLDA`);
      });
    });
  });

  describe("which directory", () => {
    const le = { authorityKeyId: "aa:bb", organization: "Let's Encrypt", commonName: "R11" };

    it("knows Let's Encrypt and Google Trust Services by their O", () => {
      expect(directoryFor(le)).to.equal("https://acme-v02.api.letsencrypt.org/directory");
      expect(directoryFor({ authorityKeyId: null, organization: "Google Trust Services", commonName: "WR1" })).to.equal(KNOWN_ARI_DIRECTORIES["Google Trust Services"]);
      expect(directoryFor({ authorityKeyId: null, organization: "DigiCert Inc", commonName: "X" })).to.equal(null);
    });

    it("takes SSLTRACKR_ACME_DIRECTORIES first: by AKI (hex, any case, colons or not), then exactly by O or CN", () => {
      const configured = { "AA:BB": "https://by-aki/directory", "Let's Encrypt": "https://by-o/directory", R11: "https://by-cn/directory" };
      expect(directoryFor(le, configured)).to.equal("https://by-aki/directory");
      expect(directoryFor({ ...le, authorityKeyId: "cc" }, configured)).to.equal("https://by-o/directory");
      expect(directoryFor({ ...le, authorityKeyId: "cc", organization: "Other" }, configured)).to.equal("https://by-cn/directory");
      // Exact names only: another case is another issuer.
      expect(directoryFor({ authorityKeyId: null, organization: "let's encrypt", commonName: "r11" }, configured)).to.equal(null);
    });

    it("SSLTRACKR_ACME_DIRECTORIES must be a JSON object of http(s) URLs", () => {
      expect(acmeDirectories.parse('{"My CA": "https://ca.test/acme/directory"}')).to.deep.equal({ "My CA": "https://ca.test/acme/directory" });
      for (const bad of ["not json", "[]", '{"x": "ftp://ca.test/d"}', '{"x": 3}']) {
        expect(() => loadConfig({ SSLTRACKR_ACME_DIRECTORIES: bad }), bad).to.throw(/SSLTRACKR_ACME_DIRECTORIES: expected a JSON object/);
      }
    });
  });

  describe("Retry-After (RFC 9773 §4.3)", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    it("reads seconds and HTTP-dates, clamped to [1 minute, 1 day]; null when absent or unreadable", () => {
      expect(retryAfterMs("3600", now)).to.equal(3_600_000);
      expect(retryAfterMs("5", now)).to.equal(60_000);
      expect(retryAfterMs("864000", now)).to.equal(86_400_000);
      expect(retryAfterMs("Mon, 30 Nov 2026 14:00:00 GMT", now)).to.equal(7_200_000);
      expect(retryAfterMs(null, now)).to.equal(null);
      expect(retryAfterMs("soon", now)).to.equal(null);
    });
  });
});
