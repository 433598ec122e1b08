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

/**
 * The extension types of a ClientHello record, read field by field (RFC 5246 §7.4.1.2): a search
 * for their bytes would also find them in the 32 random bytes, or across the fields around them
 * (a random ending in 0x00, the empty session id and the suites' length make 00 00 00).
 */
function extensionTypes(hello: Buffer): number[] {
  let at = 5 + 4 + 2 + 32; // record header, handshake header, version, random
  at += 1 + hello[at]!; // session id
  at += 2 + hello.readUInt16BE(at); // cipher suites
  at += 1 + hello[at]!; // compression methods
  if (at === hello.length) return [];
  const end = at + 2 + hello.readUInt16BE(at);
  const types: number[] = [];
  for (at += 2; at < end; at += 4 + hello.readUInt16BE(at + 2)) types.push(hello.readUInt16BE(at));
  expect(at).to.equal(hello.length);
  return types;
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
    expect(extensionTypes(hello)).to.include.members([0x0000, 0x000d]); // server_name, signature_algorithms
  });

  it("leaves SNI out when there is no name, and signature_algorithms out below TLS 1.2", () => {
    const hello = buildClientHello("TLSv1", [0x0005]);
    expect(hello.readUInt16BE(9)).to.equal(0x0301);
    const types = extensionTypes(hello);
    expect(types).to.not.include(0x0000); // server_name
    expect(types).to.not.include(0x000d); // signature_algorithms
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
