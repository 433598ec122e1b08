// The raw ClientHello used for RC4/3DES probes, and the ServerHello parser.
import { expect } from "chai";
import { buildClientHello, parseServerReply } from "../../../src/checkers/ssl/clientHello.js";

/** A ServerHello record choosing `suite` for `version`, with a session id of `sidLength` bytes. */
function serverHello(version: number, suite: number, sidLength = 32): Buffer {
  const body = Buffer.concat([
    Buffer.from([version >> 8, version & 255]),
    Buffer.alloc(32, 7),
    Buffer.from([sidLength]),
    Buffer.alloc(sidLength, 1),
    Buffer.from([suite >> 8, suite & 255, 0]),
  ]);
  const handshake = Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([22, 3, 3, handshake.length >> 8, handshake.length & 255]), handshake]);
}

describe("raw ClientHello", () => {
  it("builds a handshake record for the requested version, suites and SNI", () => {
    const hello = buildClientHello("TLSv1.2", [0x000a, 0xc012], "example.com");
    expect(hello[0]).to.equal(22); // handshake record
    expect(hello.readUInt16BE(3)).to.equal(hello.length - 5);
    expect(hello[5]).to.equal(1); // ClientHello
    expect(hello.readUInt16BE(9)).to.equal(0x0303);
    expect(hello[43]).to.equal(0); // empty session id
    expect(hello.readUInt16BE(44)).to.equal(4);
    expect([hello.readUInt16BE(46), hello.readUInt16BE(48)]).to.deep.equal([0x000a, 0xc012]);
    expect(hello.includes(Buffer.from("example.com"))).to.equal(true);
  });

  it("leaves SNI out when there is no name, and signature_algorithms out below TLS 1.2", () => {
    const hello = buildClientHello("TLSv1", [0x0005]);
    expect(hello.readUInt16BE(9)).to.equal(0x0301);
    expect(hello.includes(Buffer.from([0x00, 0x0d, 0x00]))).to.equal(false);
    expect(hello.includes(Buffer.from([0x00, 0x00, 0x00]))).to.equal(false);
  });
});

describe("server reply parsing", () => {
  it("reads the version and suite of a ServerHello, whatever the session id length", () => {
    expect(parseServerReply(serverHello(0x0303, 0x000a))).to.deep.equal({ kind: "hello", version: 0x0303, suite: 0x000a });
    expect(parseServerReply(serverHello(0x0301, 0x0005, 0))).to.deep.equal({ kind: "hello", version: 0x0301, suite: 0x0005 });
  });

  it("waits for a complete record", () => {
    const full = serverHello(0x0303, 0x000a);
    expect(parseServerReply(full.subarray(0, 3))).to.deep.equal({ kind: "incomplete" });
    expect(parseServerReply(full.subarray(0, 20))).to.deep.equal({ kind: "incomplete" });
  });

  it("recognises alerts and non-TLS answers", () => {
    expect(parseServerReply(Buffer.from([21, 3, 3, 0, 2, 2, 40]))).to.deep.equal({ kind: "alert", description: 40 });
    expect(parseServerReply(Buffer.from("HTTP/1.1 400 Bad Request\r\n"))).to.deep.equal({ kind: "invalid" });
  });
});
