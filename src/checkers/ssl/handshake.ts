// One TLS handshake and what it tells us: protocol, cipher, ephemeral key exchange and, for
// the main handshake, the certificate chain and OpenSSL's verdict on it.
import type { X509Certificate } from "node:crypto";
import tls from "node:tls";
import { peerChain } from "./certificate.js";
import { BROAD_CLIENT, closeQuietly, connectTls, ProbeError, type ProbeTarget } from "./connection.js";
import { tlsVersionSchema, type TlsVersion } from "./result.js";

export interface Negotiated {
  protocol: TlsVersion;
  cipher: { name: string; openssl_name: string };
  /** The ephemeral key exchange group; null for static RSA key exchange. */
  ephemeral: { type: "DH" | "ECDH"; bits: number } | null;
}

export interface MainHandshake extends Negotiated {
  chain: X509Certificate[];
  /** Node's legacy view of the leaf, which tls.checkServerIdentity expects. */
  peer: tls.PeerCertificate;
  /** OpenSSL's verification error code (e.g. CERT_HAS_EXPIRED), null when the chain verified. */
  verifyError: string | null;
  /** The stapled OCSP response, if the server sent one. */
  ocspResponse: Buffer | null;
}

function describe(socket: tls.TLSSocket): Negotiated {
  const protocol = tlsVersionSchema.safeParse(socket.getProtocol());
  if (!protocol.success) throw new ProbeError("handshake_failed", `unsupported protocol ${socket.getProtocol()}`);
  const cipher = socket.getCipher();
  const key = socket.getEphemeralKeyInfo() as { type?: "DH" | "ECDH" | string; size?: number } | null;
  const ephemeral = (key?.type === "DH" || key?.type === "ECDH") && key.size ? { type: key.type as "DH" | "ECDH", bits: key.size } : null;
  return { protocol: protocol.data, cipher: { name: cipher.standardName, openssl_name: cipher.name }, ephemeral };
}

/** Handshakes with the given settings and reports what was negotiated. */
export async function negotiate(target: ProbeTarget, options: tls.ConnectionOptions): Promise<Negotiated> {
  const socket = await connectTls(target, options);
  try {
    return describe(socket);
  } finally {
    closeQuietly(socket);
  }
}

/**
 * The main handshake's TLS context per trust list, made once: building one parses every
 * trusted root (milliseconds of CPU), which would otherwise be paid on every connection.
 */
const mainContexts = new WeakMap<readonly string[], tls.SecureContext>();
function mainContext(ca: string[] | undefined): tls.SecureContext | undefined {
  if (!ca) return undefined;
  let context = mainContexts.get(ca);
  if (!context) {
    context = tls.createSecureContext({ ...BROAD_CLIENT, ca });
    mainContexts.set(ca, context);
  }
  return context;
}

// Node reports verification failures as a code string, although it types them as Error.
function verifyErrorCode(error: unknown): string | null {
  if (!error) return null;
  if (typeof error === "string") return error;
  return (error as { code?: string }).code ?? String(error);
}

export function mainHandshake(target: ProbeTarget): Promise<MainHandshake> {
  return mainHandshakeThen(target, () => Promise.resolve(undefined)).then(([main]) => main);
}

/**
 * The main handshake, then `use` of the same connection before it closes (an expiry check
 * reads HSTS over it, so one handshake per address is all it costs the server).
 */
export async function mainHandshakeThen<T>(target: ProbeTarget, use: (socket: tls.TLSSocket) => Promise<T>): Promise<[MainHandshake, T]> {
  let ocspResponse: Buffer | null = null;
  const captureStaple = (socket: tls.TLSSocket) => socket.once("OCSPResponse", (response: Buffer) => (ocspResponse = response));
  // Only here does the trust list matter (a context made once per list, see mainContext).
  // tls.connect passes requestOCSP on to the TLSSocket; @types/node only declares it there.
  const secureContext = mainContext(target.ca);
  const options: tls.ConnectionOptions & tls.TLSSocketOptions = { ...BROAD_CLIENT, ...(secureContext ? { secureContext } : {}), requestOCSP: true };
  const socket = await connectTls(target, options, captureStaple);
  try {
    const chain = peerChain(socket);
    if (chain.length === 0) throw new ProbeError("handshake_failed", "the server presented no certificate");
    const verifyError = verifyErrorCode(socket.authorizationError);
    const main = { ...describe(socket), chain, peer: socket.getPeerCertificate(), verifyError, ocspResponse };
    return [main, await use(socket)];
  } finally {
    closeQuietly(socket);
  }
}
