// The pure parts of revocation look-ups: DER times and lengths, the cache's rules, and inputs
// that must read as "unknown" rather than fail a check. Real CRLs and OCSP answers are covered
// by revocation.integration.test.ts (made by openssl).
import type { X509Certificate } from "node:crypto";
import { expect } from "chai";
import { decodeTime, DerError, encodeElement, readElement } from "../../../src/checkers/ssl/der.js";
import { readOcspResponse } from "../../../src/checkers/ssl/ocsp.js";
import { parseCrl } from "../../../src/checkers/ssl/revocation/crl.js";
import { crlReasonName } from "../../../src/checkers/ssl/revocation/answer.js";
import { RevocationCache, type CrlFetch } from "../../../src/checkers/ssl/revocation/revocationCache.js";
import { createPki, type Pki } from "../../support/pki.js";

const T0 = new Date("2026-11-30T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const time = (tag: number, text: string) => ({ tag, value: Buffer.from(text, "latin1"), end: 0, raw: Buffer.alloc(0) });

describe("revocation (unit)", () => {
  describe("DER", () => {
    it("reads UTCTime (50-99 as 19xx, RFC 5280 §4.1.2.5.1) and GeneralizedTime, and refuses other text", () => {
      expect(decodeTime(time(0x17, "491231235959Z")).toISOString()).to.equal("2049-12-31T23:59:59.000Z");
      expect(decodeTime(time(0x17, "500101000000Z")).toISOString()).to.equal("1950-01-01T00:00:00.000Z");
      expect(decodeTime(time(0x18, "20261130120000Z")).toISOString()).to.equal("2026-11-30T12:00:00.000Z");
      // GeneralizedTime's four-digit years mean what they say, the years 0-99 too.
      expect(decodeTime(time(0x18, "00500101000000Z")).toISOString()).to.equal("0050-01-01T00:00:00.000Z");
      expect(decodeTime(time(0x18, "99991231235959Z")).toISOString()).to.equal("9999-12-31T23:59:59.000Z");
      expect(() => decodeTime(time(0x18, "20261130120000+0100"))).to.throw(DerError);
      expect(() => decodeTime(time(0x04, "20261130120000Z"))).to.throw(DerError);
    });

    it("encodes short and long lengths that read back whole", () => {
      for (const size of [0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000]) {
        const encoded = encodeElement(0x04, Buffer.alloc(size, 1));
        const el = readElement(encoded);
        expect([el.tag, el.value.length, el.end, el.raw.length]).to.deep.equal([0x04, size, encoded.length, encoded.length]);
      }
    });

    it("names CRL reasons by their RFC 5280 codes, and an unknown code by its number", () => {
      expect([0, 1, 4, 6, 10].map(crlReasonName)).to.deep.equal(["unspecified", "keyCompromise", "superseded", "certificateHold", "aACompromise"]);
      expect(crlReasonName(42)).to.equal("reason 42");
    });
  });

  describe("what cannot be read", () => {
    let pki: Pki;
    let leaf: X509Certificate;
    let issuer: X509Certificate;
    before(async function () {
      this.timeout(20_000);
      pki = await createPki();
      const ca = await pki.createRootCa({ cn: "Unit CA" });
      issuer = ca.x509;
      leaf = (await pki.createLeaf(ca, { cn: "unit.test" })).x509;
    });
    after(() => pki.cleanup());

    it("a CRL that is not DER, is truncated or has bytes after it is refused", () => {
      expect(() => parseCrl(Buffer.from("<html>not found</html>"))).to.throw(DerError);
      expect(() => parseCrl(Buffer.from([0x30, 0x10, 0x30]))).to.throw(DerError);
      expect(() => parseCrl(Buffer.concat([encodeElement(0x30, encodeElement(0x30)), Buffer.from([0])]))).to.throw(DerError);
    });

    it("an OCSP answer that is not DER, or not successful, is unknown with the reason", () => {
      expect(readOcspResponse(Buffer.from("oops"), leaf, issuer, T0).answer).to.deep.equal({ status: "unknown", why: "the OCSP response is not valid DER" });
      const tryLater = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]);
      expect(readOcspResponse(tryLater, leaf, issuer, T0)).to.deep.equal({ answer: { status: "unknown", why: "the OCSP response is not a successful basic response" }, nextUpdate: null });
    });
  });

  describe("cache", () => {
    const crl = (nextUpdate: Date | null) => ({ value: { error: "stand-in" } as CrlFetch, nextUpdate, failed: false });

    it("shares one load between concurrent checks, and keeps a value until its nextUpdate", async () => {
      const cache = new RevocationCache();
      let loads = 0;
      const load = async () => (loads++, crl(at(3_600_000)));
      await Promise.all([cache.crls.get("u", T0, load), cache.crls.get("u", T0, load)]);
      await cache.crls.get("u", at(3_600_000 - 1), load);
      expect(loads).to.equal(1);
      await cache.crls.get("u", at(3_600_000), load);
      expect(loads).to.equal(2);
    });

    it("keeps failures and stale answers for the failure time, answers without nextUpdate for an hour", async () => {
      const cache = new RevocationCache({ failureTtlMs: 60_000 });
      let loads = 0;
      const failing = async () => (loads++, { ...crl(null), failed: true });
      await cache.crls.get("f", T0, failing);
      await cache.crls.get("f", at(59_999), failing);
      expect(loads).to.equal(1);
      await cache.crls.get("f", at(60_000), failing);
      expect(loads).to.equal(2);

      let staleLoads = 0;
      const stale = async () => (staleLoads++, crl(at(-1)));
      await cache.crls.get("s", T0, stale);
      await cache.crls.get("s", at(59_999), stale);
      expect(staleLoads).to.equal(1);

      let openLoads = 0;
      const open = async () => (openLoads++, crl(null));
      await cache.crls.get("o", T0, open);
      await cache.crls.get("o", at(3_600_000 - 1), open);
      await cache.crls.get("o", at(3_600_000), open);
      expect(openLoads).to.equal(2);
    });

    it("drops the oldest entry beyond its size", async () => {
      const cache = new RevocationCache({ maxCrls: 2 });
      const loaded: string[] = [];
      const load = (key: string) => async () => (loaded.push(key), crl(at(3_600_000)));
      for (const key of ["a", "b", "c", "b", "a"]) await cache.crls.get(key, T0, load(key));
      expect(loaded).to.deep.equal(["a", "b", "c", "a"]);
    });
  });
});
