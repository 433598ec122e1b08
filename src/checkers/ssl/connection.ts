// Opening probe connections: TCP then TLS, each stage with its own timeout and a
// machine-readable failure reason. Probe sockets deliberately accept weak cryptography;
// those settings are passed per connection and never change Node's global TLS defaults.
import { constants } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import type { ProbeFailureReason } from "./result.js";

export interface ProbeTarget {
  ip: string;
  port: number;
  /** SNI name; undefined when the target is an IP literal (RFC 6066 forbids IPs in SNI). */
  servername: string | undefined;
  timeoutMs: number;
  /** Trusted roots (PEM) for the main handshake, the only one whose verification matters. */
  ca: string[];
  /** Politeness: waited on before each new connection to `ip`; what it returns is called once the connection closed. */
  gate?: ConnectionGate | undefined;
}

/** Admits new connections to an address (limits shared by every process; see connectionGate.ts). */
export interface ConnectionGate {
  acquire(ip: string): Promise<() => void>;
}

export class ProbeError extends Error {
  override readonly name = "ProbeError";
  constructor(
    readonly reason: ProbeFailureReason,
    message: string,
    /** Node/OpenSSL error code, e.g. ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Every TLS 1.2-and-older suite the local OpenSSL has, minus `excluded` (OpenSSL names or
 * aliases), at security level 0. PSK and SRP suites need out-of-band secrets, so never apply.
 */
export function legacyCiphers(excluded: readonly string[] = []): string {
  return ["ALL:COMPLEMENTOFALL:!PSK:!SRP", ...excluded.map((name) => `!${name}`), "@SECLEVEL=0"].join(":");
}
export const TLS13_SUITES = [
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_128_CCM_SHA256",
  "TLS_AES_128_CCM_8_SHA256",
] as const;
/**
 * OpenSSL 3 refuses servers without RFC 5746 secure renegotiation; probes must still reach
 * them to grade them (protocols.ts detects the missing support by leaving this out once).
 */
export const LEGACY_SERVER_CONNECT = constants.SSL_OP_LEGACY_SERVER_CONNECT;

/**
 * Like a current client (TLS 1.3 first, modern suites preferred) but willing to go down to
 * TLS 1.0, weak suites and small keys, so that a legacy-only server can still be inspected.
 */
export const BROAD_CLIENT: tls.ConnectionOptions = {
  minVersion: "TLSv1",
  ciphers: [...TLS13_SUITES, legacyCiphers(["aNULL", "eNULL"])].join(":"),
  secureOptions: LEGACY_SERVER_CONNECT,
};

const endpointName = (t: ProbeTarget) => (net.isIPv6(t.ip) ? `[${t.ip}]:${t.port}` : `${t.ip}:${t.port}`);
const noop = () => undefined;

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function tcpFailure(err: unknown, target: ProbeTarget): ProbeError {
  const code = errorCode(err);
  const where = endpointName(target);
  if (code === "ECONNREFUSED") return new ProbeError("connection_refused", `connection to ${where} refused`, code);
  if (code === "ECONNRESET") return new ProbeError("connection_reset", `connection to ${where} reset`, code);
  return new ProbeError("network_error", `cannot connect to ${where}: ${(err as Error).message}`, code);
}

function tlsFailure(err: unknown, target: ProbeTarget): ProbeError {
  const code = errorCode(err);
  // OpenSSL errors carry a short `reason` ("wrong version number"); socket errors do not.
  const detail = (err as { reason?: string }).reason ?? (code === "ECONNRESET" ? "connection closed by the server" : (err as Error).message);
  return new ProbeError("handshake_failed", `TLS handshake with ${endpointName(target)} failed: ${detail}`, code);
}

/** Destroys a socket and ignores whatever it reports afterwards (peers often reset aborted probes). */
export function closeQuietly(socket: net.Socket): void {
  socket.on("error", noop);
  socket.destroy();
}

export async function connectTcp(target: ProbeTarget): Promise<net.Socket> {
  const release = (await target.gate?.acquire(target.ip)) ?? noop;
  const socket = await connectTcpNow(target).catch((err: unknown) => {
    release();
    throw err;
  });
  socket.once("close", release);
  return socket;
}

/** connectTcp, or null when the target refuses or cannot be reached (a ProbeError): for probes whose "no" is an answer. */
export async function connectTcpOrNull(target: ProbeTarget): Promise<net.Socket | null> {
  try {
    return await connectTcp(target);
  } catch (err) {
    if (err instanceof ProbeError) return null;
    throw err;
  }
}

function connectTcpNow(target: ProbeTarget): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.ip, port: target.port });
    const timer = setTimeout(() => {
      closeQuietly(socket);
      reject(new ProbeError("connect_timeout", `no TCP connection to ${endpointName(target)} within ${target.timeoutMs} ms`));
    }, target.timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      closeQuietly(socket);
      reject(tcpFailure(err, target));
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      // Errors from here on surface through whoever wraps the socket.
      socket.on("error", noop);
      resolve(socket);
    });
  });
}

/**
 * A completed TLS handshake with the target. Certificates are never rejected here (the caller
 * inspects `authorizationError`); `options` adds per-connection settings such as versions and
 * ciphers; `observe` sees the socket before the handshake (for handshake-time events).
 */
export async function connectTls(
  target: ProbeTarget,
  options: tls.ConnectionOptions = {},
  observe?: (socket: tls.TLSSocket) => void,
): Promise<tls.TLSSocket> {
  const raw = await connectTcp(target);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      socket: raw,
      servername: target.servername,
      rejectUnauthorized: false,
      // Name checks are ours (chainErrors.ts); Node's would overwrite OpenSSL's verdict.
      checkServerIdentity: () => undefined,
      ...options,
    });
    observe?.(socket);
    const timer = setTimeout(() => {
      closeQuietly(socket);
      reject(new ProbeError("handshake_timeout", `TLS handshake with ${endpointName(target)} did not complete within ${target.timeoutMs} ms`));
    }, target.timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      closeQuietly(socket);
      reject(tlsFailure(err, target));
    };
    socket.once("error", onError);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.on("error", noop);
      resolve(socket);
    });
  });
}
