// Reading the server's first TLS 1.2 flight (ServerHello, Certificate) from raw bytes, as they
// arrive: split across records, several messages per record, or refused.
import { expect } from "chai";
import { parseCertificateFlight } from "../../../src/checkers/ssl/servedCertificates.js";

const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const message = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);
const record = (type: number, fragment: Buffer) => Buffer.concat([Buffer.from([type, 0x03, 0x03, fragment.length >> 8, fragment.length & 0xff]), fragment]);

// A minimal ServerHello body: version, random, empty session id, suite, compression.
const serverHello = message(2, Buffer.concat([Buffer.from([0x03, 0x03]), Buffer.alloc(32), Buffer.from([0x00, 0xc0, 0x2f, 0x00])]));
const certificate = (certs: Buffer[]) => {
  const list = Buffer.concat(certs.map((c) => Buffer.concat([u24(c.length), c])));
  return message(11, Buffer.concat([u24(list.length), list]));
};
const certs = [Buffer.from("leaf-der"), Buffer.from("intermediate-der"), Buffer.from("leaf-der")];

describe("served certificate list from the TLS 1.2 Certificate message (unit)", () => {
  it("returns every certificate in the order sent, duplicates included", () => {
    const bytes = record(22, Buffer.concat([serverHello, certificate(certs)]));
    expect(parseCertificateFlight(bytes)).to.deep.equal({ kind: "certificates", certificates: certs });
  });

  it("joins a Certificate message fragmented over several records", () => {
    const flight = Buffer.concat([serverHello, certificate(certs)]);
    const bytes = Buffer.concat([record(22, flight.subarray(0, 50)), record(22, flight.subarray(50, 60)), record(22, flight.subarray(60))]);
    expect(parseCertificateFlight(bytes)).to.deep.equal({ kind: "certificates", certificates: certs });
  });

  it("waits for more bytes while the message is incomplete", () => {
    const bytes = record(22, Buffer.concat([serverHello, certificate(certs)]));
    expect(parseCertificateFlight(bytes.subarray(0, bytes.length - 4))).to.deep.equal({ kind: "incomplete" });
    expect(parseCertificateFlight(Buffer.alloc(3))).to.deep.equal({ kind: "incomplete" });
  });

  it("is refused by an alert (e.g. a TLS 1.3-only server), by anything but a ServerHello first, or by a malformed list", () => {
    expect(parseCertificateFlight(record(21, Buffer.from([2, 70])))).to.deep.equal({ kind: "refused" });
    expect(parseCertificateFlight(record(22, certificate(certs)))).to.deep.equal({ kind: "refused" });
    const badList = message(11, Buffer.concat([u24(99), u24(2), Buffer.from("ab")]));
    expect(parseCertificateFlight(record(22, Buffer.concat([serverHello, badList])))).to.deep.equal({ kind: "refused" });
  });
});
