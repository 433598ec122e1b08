// A hand-built TLS (1.0-1.2) ClientHello and a parser for the first server reply. This is how
// we ask about suites the local OpenSSL no longer implements (RC4, 3DES): the server's
// ServerHello says whether it would use them, and we hang up before any cryptography happens.
import { randomBytes } from "node:crypto";
import type { TlsVersion } from "./result.js";

export type LegacyVersion = Exclude<TlsVersion, "TLSv1.3">;

export const VERSION_CODES: Record<LegacyVersion, number> = { TLSv1: 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303 };

const CONTENT_HANDSHAKE = 22;
const CONTENT_ALERT = 21;
const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const withU16Length = (body: Buffer) => Buffer.concat([u16(body.length), body]);

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), withU16Length(data)]);
}

function extensions(version: LegacyVersion, servername: string | undefined): Buffer {
  const list = [
    // supported_groups: x25519, secp256r1, secp384r1, secp521r1 (needed for ECDHE suites)
    extension(0x000a, withU16Length(Buffer.from([0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19]))),
    // ec_point_formats: uncompressed
    extension(0x000b, Buffer.from([0x01, 0x00])),
    // renegotiation_info (empty): what every current client sends
    extension(0xff01, Buffer.from([0x00])),
  ];
  if (servername) {
    const name = Buffer.from(servername, "ascii");
    list.unshift(extension(0x0000, withU16Length(Buffer.concat([u8(0), withU16Length(name)]))));
  }
  if (version === "TLSv1.2") {
    // signature_algorithms: SHA-2 then SHA-1 variants of RSA, ECDSA and RSA-PSS
    const algorithms = [0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0201, 0x0203];
    list.push(extension(0x000d, withU16Length(Buffer.concat(algorithms.map(u16)))));
  }
  return withU16Length(Buffer.concat(list));
}

/** A complete TLS record carrying a ClientHello for exactly `version` offering `suites`. */
export function buildClientHello(version: LegacyVersion, suites: readonly number[], servername?: string): Buffer {
  const body = Buffer.concat([
    u16(VERSION_CODES[version]),
    randomBytes(32),
    u8(0), // no session id
    withU16Length(Buffer.concat(suites.map(u16))),
    Buffer.from([0x01, 0x00]), // compression: null only
    extensions(version, servername),
  ]);
  const handshake = Buffer.concat([u8(CLIENT_HELLO), u24(body.length), body]);
  return Buffer.concat([u8(CONTENT_HANDSHAKE), u16(0x0301), withU16Length(handshake)]);
}

export type ServerReply =
  | { kind: "hello"; version: number; suite: number }
  | { kind: "alert"; description: number }
  | { kind: "incomplete" }
  | { kind: "invalid" };

/** Interprets the bytes received so far: a ServerHello, an alert, not enough yet, or not TLS. */
export function parseServerReply(data: Buffer): ServerReply {
  if (data.length < 5) return { kind: "incomplete" };
  const type = data[0];
  const length = data.readUInt16BE(3);
  if (data[1] !== 0x03 || (type !== CONTENT_HANDSHAKE && type !== CONTENT_ALERT)) return { kind: "invalid" };
  if (data.length < 5 + length) return { kind: "incomplete" };
  const fragment = data.subarray(5, 5 + length);
  if (type === CONTENT_ALERT) return fragment.length >= 2 ? { kind: "alert", description: fragment[1]! } : { kind: "invalid" };
  // ServerHello: type(1) length(3) version(2) random(32) session_id(1 + n) cipher_suite(2)
  if (fragment[0] !== SERVER_HELLO || fragment.length < 39) return { kind: "invalid" };
  const sessionIdLength = fragment[38]!;
  const suiteOffset = 39 + sessionIdLength;
  if (fragment.length < suiteOffset + 2) return { kind: "invalid" };
  return { kind: "hello", version: fragment.readUInt16BE(4), suite: fragment.readUInt16BE(suiteOffset) };
}
