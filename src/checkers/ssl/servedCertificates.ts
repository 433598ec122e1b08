// The certificate list exactly as the server sends it (order, duplicates, unrelated extras),
// which Node's TLS API does not expose: getPeerCertificate(true) keeps only the issuers it can
// link. TLS 1.3 encrypts the Certificate message, so this asks with a hand-built TLS 1.2
// ClientHello, reads the plaintext Certificate message (RFC 5246 §7.4.2) and hangs up before
// any key exchange.
import { X509Certificate } from "node:crypto";
import type net from "node:net";
import { buildClientHello } from "./clientHello.js";
import { closeQuietly, connectTcpOrNull, type ProbeTarget } from "./connection.js";

const CONTENT_HANDSHAKE = 22;
const SERVER_HELLO = 2;
const CERTIFICATE = 11;

/** What current clients offer in TLS 1.2 (ECDHE/DHE/RSA with AES-GCM, ChaCha20, AES-CBC), and 3DES last. */
const TLS12_SUITES = [
  0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f, 0xc009, 0xc013, 0xc00a, 0xc014, 0xc023, 0xc027, 0xc024,
  0xc028, 0x0033, 0x0039, 0x009c, 0x009d, 0x002f, 0x0035, 0x003c, 0x003d, 0x000a,
];

export type CertificateFlight = { kind: "certificates"; certificates: Buffer[] } | { kind: "incomplete" } | { kind: "refused" };

/** The handshake messages carried by the leading handshake records of `data` (fragments joined). */
function handshakeBytes(data: Buffer): { bytes: Buffer; refused: boolean } {
  const fragments: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= data.length) {
    const length = data.readUInt16BE(offset + 3);
    if (data[offset] !== CONTENT_HANDSHAKE || data[offset + 1] !== 0x03) return { bytes: Buffer.concat(fragments), refused: true };
    if (offset + 5 + length > data.length) break;
    fragments.push(data.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return { bytes: Buffer.concat(fragments), refused: false };
}

/** Reads the server's first flight: ServerHello, then Certificate (each entry: 3-byte length + DER). */
export function parseCertificateFlight(data: Buffer): CertificateFlight {
  const { bytes, refused } = handshakeBytes(data);
  let offset = 0;
  while (offset + 4 <= bytes.length) {
    const type = bytes[offset]!;
    const length = bytes.readUIntBE(offset + 1, 3);
    if (offset + 4 + length > bytes.length) break;
    const body = bytes.subarray(offset + 4, offset + 4 + length);
    if (offset === 0 && type !== SERVER_HELLO) return { kind: "refused" };
    if (type === CERTIFICATE) return readCertificateList(body);
    offset += 4 + length;
  }
  return refused ? { kind: "refused" } : { kind: "incomplete" };
}

function readCertificateList(body: Buffer): CertificateFlight {
  if (body.length < 3 || body.readUIntBE(0, 3) !== body.length - 3) return { kind: "refused" };
  const certificates: Buffer[] = [];
  for (let offset = 3; offset < body.length; ) {
    if (offset + 3 > body.length) return { kind: "refused" };
    const length = body.readUIntBE(offset, 3);
    if (offset + 3 + length > body.length) return { kind: "refused" };
    certificates.push(body.subarray(offset + 3, offset + 3 + length));
    offset += 3 + length;
  }
  return { kind: "certificates", certificates };
}

function waitForCertificates(socket: net.Socket, timeoutMs: number): Promise<Buffer[] | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = (certificates: Buffer[] | null) => {
      clearTimeout(timer);
      closeQuietly(socket);
      resolve(certificates);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const flight = parseCertificateFlight(received);
      if (flight.kind === "certificates") finish(flight.certificates);
      else if (flight.kind === "refused") finish(null);
    });
    socket.on("close", () => finish(null));
  });
}

/**
 * The certificates the server sends, in its order, leaf first; null when it will not speak
 * TLS 1.2 or older (TLS 1.3-only servers) or sends something unreadable. Never throws for
 * network reasons.
 */
export async function fetchServedCertificates(target: ProbeTarget): Promise<X509Certificate[] | null> {
  const socket = await connectTcpOrNull(target);
  if (!socket) return null;
  const reply = waitForCertificates(socket, target.timeoutMs);
  socket.write(buildClientHello("TLSv1.2", TLS12_SUITES, target.servername));
  const raw = await reply;
  if (!raw || raw.length === 0) return null;
  try {
    return raw.map((der) => new X509Certificate(der));
  } catch {
    return null; // a certificate OpenSSL cannot parse: fall back to what the TLS stack linked
  }
}
