// Which protocol versions the server accepts, one handshake per version, and whether it
// supports RFC 5746 secure renegotiation (only meaningful below TLS 1.3).
import type tls from "node:tls";
import { LEGACY_SERVER_CONNECT, legacyCiphers, ProbeError, TLS13_SUITES, type ProbeTarget } from "./connection.js";
import { negotiate } from "./handshake.js";
import { TLS_VERSIONS, type ProtocolSupport, type TlsVersion } from "./result.js";

export interface ProtocolProbe {
  supported: ProtocolSupport;
  /** null when no protocol below TLS 1.3 is supported. */
  secureRenegotiation: boolean | null;
}

interface VersionProbe {
  supported: boolean;
  secureRenegotiation?: boolean;
}

/** Settings that make a handshake succeed only with `version`, whatever suites the server picks. */
export function versionOptions(version: TlsVersion, ciphers?: string): tls.ConnectionOptions {
  const defaultCiphers = version === "TLSv1.3" ? TLS13_SUITES.join(":") : legacyCiphers();
  return { minVersion: version, maxVersion: version, ciphers: ciphers ?? defaultCiphers };
}

async function succeeds(target: ProbeTarget, options: tls.ConnectionOptions): Promise<boolean> {
  try {
    await negotiate(target, options);
    return true;
  } catch (err) {
    if (err instanceof ProbeError) return false;
    throw err;
  }
}

async function probeVersion(target: ProbeTarget, version: TlsVersion): Promise<VersionProbe> {
  if (version === "TLSv1.3") return { supported: await succeeds(target, versionOptions(version)) };
  // Without LEGACY_SERVER_CONNECT, OpenSSL aborts exactly when the server lacks RFC 5746.
  try {
    await negotiate(target, versionOptions(version));
    return { supported: true, secureRenegotiation: true };
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    if (err.code !== "ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED") return { supported: false };
  }
  const supported = await succeeds(target, { ...versionOptions(version), secureOptions: LEGACY_SERVER_CONNECT });
  return { supported, secureRenegotiation: false };
}

export async function probeProtocols(target: ProbeTarget): Promise<ProtocolProbe> {
  const probes = await Promise.all(TLS_VERSIONS.map((v) => probeVersion(target, v)));
  const supported = Object.fromEntries(TLS_VERSIONS.map((v, i) => [v, probes[i]!.supported])) as ProtocolSupport;
  const renegotiation = probes.filter((p) => p.supported && p.secureRenegotiation !== undefined).map((p) => p.secureRenegotiation);
  return { supported, secureRenegotiation: renegotiation.length === 0 ? null : renegotiation.every(Boolean) };
}
