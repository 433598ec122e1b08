// Certificate facts in the result's formats, and the DER reading behind signature_algorithm.
import { expect } from "chai";
import {
  caIssuerUrls,
  daysRemaining,
  earliestExpiry,
  formatDistinguishedName,
  formatSerial,
  parseSubjectAltNames,
  signatureAlgorithm,
  signatureWeakness,
} from "../../../src/checkers/ssl/certificate.js";
import { decodeOid, DerError, readElement } from "../../../src/checkers/ssl/der.js";
import type { CertificateFacts } from "../../../src/checkers/ssl/result.js";

// A tiny DER writer, enough to build Certificate-shaped inputs.
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 255]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a! * 40 + b!];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const NULL = tlv(0x05);
const certificateWith = (algorithmIdentifier: Buffer) => seq(seq(tlv(0x02, Buffer.from([1]))), algorithmIdentifier, tlv(0x03, Buffer.from([0, 1, 2])));

function facts(depth: number, validTo: string, selfSigned = false): CertificateFacts {
  return {
    depth,
    subject: `CN=cert${depth}`,
    issuer: `CN=cert${depth + 1}`,
    valid_from: "2020-01-01T00:00:00.000Z",
    valid_to: validTo,
    days_remaining: 0,
    serial_number: "01",
    fingerprint_sha256: "aa",
    signature_algorithm: "sha256WithRSAEncryption",
    self_signed: selfSigned,
    ca_issuers: [],
  };
}

describe("certificate facts", () => {
  it("formats distinguished names in RFC 4514 order, keeping OpenSSL's escaping", () => {
    expect(formatDistinguishedName("C=US\nO=Let's Encrypt\nCN=R3")).to.equal("CN=R3, O=Let's Encrypt, C=US");
    expect(formatDistinguishedName("CN=example.com")).to.equal("CN=example.com");
    expect(formatDistinguishedName("O=Test\\, Inc.\nCN=x")).to.equal("CN=x, O=Test\\, Inc.");
  });

  it("formats serial numbers as lower-case hex pairs", () => {
    expect(formatSerial("03A1B2C3")).to.equal("03:a1:b2:c3");
    expect(formatSerial("FF01")).to.equal("ff:01");
    expect(formatSerial("1")).to.equal("01");
  });

  it("extracts DNS names and IP addresses from subjectAltName, including quoted values", () => {
    const san = 'DNS:example.com, DNS:*.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, email:a@b.c, DNS:"odd,name"';
    expect(parseSubjectAltNames(san)).to.deep.equal(["example.com", "*.example.com", "127.0.0.1", "0:0:0:0:0:0:0:1", "odd,name"]);
    expect(parseSubjectAltNames(undefined)).to.deep.equal([]);
  });

  it("counts whole days remaining, negative once expired", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    expect(daysRemaining(new Date("2026-01-31T12:00:00Z"), now)).to.equal(30);
    expect(daysRemaining(new Date("2026-01-31T11:59:59Z"), now)).to.equal(29);
    expect(daysRemaining(new Date("2026-01-01T11:00:00Z"), now)).to.equal(-1);
    expect(daysRemaining(new Date("2025-12-01T12:00:00Z"), now)).to.equal(-31);
  });

  it("finds the earliest expiry, ignoring self-signed roots but not a self-signed leaf", () => {
    const chain = [facts(0, "2027-01-01T00:00:00.000Z"), facts(1, "2026-06-01T00:00:00.000Z"), facts(2, "2026-02-01T00:00:00.000Z", true)];
    expect(earliestExpiry(chain, "192.0.2.1")).to.deep.include({ depth: 1, subject: "CN=cert1", ip_address: "192.0.2.1" });
    expect(earliestExpiry([facts(0, "2026-03-01T00:00:00.000Z", true)], "192.0.2.1")).to.include({ depth: 0 });
  });

  it("reads CA Issuers URLs from Authority Information Access", () => {
    const aia = "OCSP - URI:http://ocsp.example\nCA Issuers - URI:http://ca.example/int.crt\nCA Issuers - URI:http://alt.example/int.p7c\n";
    expect(caIssuerUrls(aia)).to.deep.equal(["http://ca.example/int.crt", "http://alt.example/int.p7c"]);
    expect(caIssuerUrls(undefined)).to.deep.equal([]);
  });

  it("names weak signature hashes", () => {
    expect(signatureWeakness("md5WithRSAEncryption")).to.equal("md5");
    expect(signatureWeakness("md2WithRSAEncryption")).to.equal("md5");
    expect(signatureWeakness("sha1WithRSAEncryption")).to.equal("sha1");
    expect(signatureWeakness("ecdsa-with-SHA1")).to.equal("sha1");
    expect(signatureWeakness("rsassaPss-sha1")).to.equal("sha1");
    expect(signatureWeakness("sha256WithRSAEncryption")).to.equal(null);
    expect(signatureWeakness("ecdsa-with-SHA512")).to.equal(null);
  });
});

describe("signature algorithm from DER", () => {
  it("names common algorithms as OpenSSL does", () => {
    expect(signatureAlgorithm(certificateWith(seq(oid("1.2.840.113549.1.1.11"), NULL)))).to.equal("sha256WithRSAEncryption");
    expect(signatureAlgorithm(certificateWith(seq(oid("1.2.840.113549.1.1.5"), NULL)))).to.equal("sha1WithRSAEncryption");
    expect(signatureAlgorithm(certificateWith(seq(oid("1.2.840.10045.4.3.3"))))).to.equal("ecdsa-with-SHA384");
    expect(signatureAlgorithm(certificateWith(seq(oid("1.3.101.112"))))).to.equal("ED25519");
  });

  it("reads the hash of RSASSA-PSS from its parameters, SHA-1 when absent", () => {
    const sha256 = seq(oid("2.16.840.1.101.3.4.2.1"), NULL);
    const pss = seq(oid("1.2.840.113549.1.1.10"), seq(tlv(0xa0, sha256)));
    expect(signatureAlgorithm(certificateWith(pss))).to.equal("rsassaPss-sha256");
    expect(signatureAlgorithm(certificateWith(seq(oid("1.2.840.113549.1.1.10"), seq())))).to.equal("rsassaPss-sha1");
  });

  it("falls back to the dotted OID for unknown algorithms", () => {
    expect(signatureAlgorithm(certificateWith(seq(oid("1.2.3.4.5000"))))).to.equal("1.2.3.4.5000");
  });

  it("decodes OIDs with multi-byte arcs and long-form lengths", () => {
    expect(decodeOid(oid("2.16.840.1.101.3.4.2.1").subarray(2))).to.equal("2.16.840.1.101.3.4.2.1");
    const long = tlv(0x04, Buffer.alloc(300));
    expect(readElement(long).value.length).to.equal(300);
  });

  it("refuses truncated input", () => {
    expect(() => readElement(Buffer.from([0x30, 0x05, 0x01]))).to.throw(DerError);
  });
});
