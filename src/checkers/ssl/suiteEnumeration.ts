// Every cipher suite the server accepts for one protocol version, found the way SSL scanners
// do it: offer everything, note what the server picks, take that suite away, repeat until the
// handshake fails. Limited to the suites the local OpenSSL implements (see legacySuites.ts
// for RC4 and 3DES, which OpenSSL 3 no longer has).
import { LEGACY_SERVER_CONNECT, legacyCiphers, ProbeError, TLS13_SUITES, type ProbeTarget } from "./connection.js";
import { negotiate, type Negotiated } from "./handshake.js";
import { versionOptions } from "./protocols.js";
import type { TlsVersion } from "./result.js";

export interface EnumeratedSuites {
  /** IANA names, in the order the server chose them. */
  suites: string[];
  /** Sizes of the ephemeral groups seen, by kind. */
  dhBits: number[];
  ecdhBits: number[];
}

// More suites than any OpenSSL build offers: a server misbehaving cannot keep us looping.
const MAX_HANDSHAKES = 200;

/** The cipher string for the next round: TLS 1.3 lists what is left, older versions exclude what was found. */
function offer(version: TlsVersion, found: string[]): string {
  if (version === "TLSv1.3") return TLS13_SUITES.filter((s) => !found.includes(s)).join(":");
  return legacyCiphers(found);
}

async function tryOffer(target: ProbeTarget, version: TlsVersion, ciphers: string): Promise<Negotiated | null> {
  if (ciphers === "") return null;
  const options = { ...versionOptions(version, ciphers), secureOptions: version === "TLSv1.3" ? 0 : LEGACY_SERVER_CONNECT };
  try {
    return await negotiate(target, options);
  } catch (err) {
    if (err instanceof ProbeError) return null;
    throw err;
  }
}

export async function enumerateSuites(target: ProbeTarget, version: TlsVersion): Promise<EnumeratedSuites> {
  const result: EnumeratedSuites = { suites: [], dhBits: [], ecdhBits: [] };
  const found: string[] = []; // OpenSSL names, for the exclusion list
  for (let i = 0; i < MAX_HANDSHAKES; i++) {
    const negotiated = await tryOffer(target, version, offer(version, found));
    if (!negotiated || found.includes(negotiated.cipher.openssl_name)) break;
    found.push(negotiated.cipher.openssl_name);
    result.suites.push(negotiated.cipher.name);
    if (negotiated.ephemeral?.type === "DH") result.dhBits.push(negotiated.ephemeral.bits);
    if (negotiated.ephemeral?.type === "ECDH") result.ecdhBits.push(negotiated.ephemeral.bits);
  }
  return result;
}
