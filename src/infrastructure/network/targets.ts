// Turns a user-supplied hostname into the addresses we may connect to. Every outbound
// connection to a user-chosen host (TLS checks, webhooks) goes through here so that
// SSRF protection is applied in one place: callers connect to the returned IPs, never
// re-resolve the name, so a DNS answer cannot change between the check and the connect.
import { lookup as dnsLookup } from "node:dns/promises";
import net from "node:net";

export type TargetErrorReason = "invalid_target" | "dns_failure" | "private_address";

export class TargetError extends Error {
  override readonly name = "TargetError";
  constructor(
    readonly reason: TargetErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export type LookupFn = (hostname: string) => Promise<string[]>;

export interface ResolveTargetOptions {
  /** Allow loopback, private, link-local and other non-public addresses. */
  allowPrivate: boolean;
  /**
   * host -> addresses, consulted before DNS (like curl --resolve). Keys are lower-case; a key
   * `*.example.test` covers every name under example.test (the longest match wins, an exact
   * key first).
   */
  resolveOverrides?: ReadonlyMap<string, readonly string[]>;
  /** DNS resolution; defaults to the system resolver (getaddrinfo, so /etc/hosts applies). */
  lookup?: LookupFn;
  /** Give up on DNS after this long. */
  timeoutMs?: number;
}

// Ranges that are not globally reachable unicast (IANA special-purpose registries, RFC 6890).
const NON_PUBLIC_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (includes cloud metadata 169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255 broadcast
];
const NON_PUBLIC_V6: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard-only
  ["2001::", 23], // IETF protocol assignments
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const nonPublic = new net.BlockList();
for (const [prefix, bits] of NON_PUBLIC_V4) nonPublic.addSubnet(prefix, bits, "ipv4");
for (const [prefix, bits] of NON_PUBLIC_V6) nonPublic.addSubnet(prefix, bits, "ipv6");

/** The IPv4 address carried inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(ip: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** True for globally routable unicast addresses; false for anything else, including non-IPs. */
export function isPublicAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return !nonPublic.check(ip, "ipv4");
  if (family !== 6) return false;
  const v4 = embeddedIpv4(ip.toLowerCase());
  if (v4 !== undefined) return isPublicAddress(v4);
  return !nonPublic.check(ip, "ipv6");
}

async function systemLookup(hostname: string): Promise<string[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

function withTimeout<T>(promise: Promise<T>, ms: number | undefined, message: string): Promise<T> {
  if (ms === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TargetError("dns_failure", message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Lower-cases, drops a trailing dot and IPv6 brackets; rejects what cannot be a hostname. */
export function normalizeHostname(hostname: string): string {
  const host = hostname.trim().toLowerCase().replace(/\.$/, "").replace(/^\[(.*)\]$/, "$1");
  const valid = net.isIP(host) !== 0 || (host.length <= 253 && /^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$/.test(host));
  if (!valid) throw new TargetError("invalid_target", `"${hostname}" is not a valid hostname or IP address`);
  return host;
}

/** The override of `host`: its own key, else the nearest `*.parent` key above it. */
function overrideOf(host: string, overrides: ReadonlyMap<string, readonly string[]> | undefined): readonly string[] | undefined {
  if (!overrides) return undefined;
  const exact = overrides.get(host);
  if (exact) return exact;
  for (let dot = host.indexOf("."); dot >= 0; dot = host.indexOf(".", dot + 1)) {
    const wildcard = overrides.get(`*${host.slice(dot)}`);
    if (wildcard) return wildcard;
  }
  return undefined;
}

async function addressesOf(host: string, options: ResolveTargetOptions): Promise<string[]> {
  if (net.isIP(host)) return [host];
  const override = overrideOf(host, options.resolveOverrides);
  if (override && override.length > 0) return [...override];
  const lookup = options.lookup ?? systemLookup;
  const timeoutMessage = `DNS lookup of ${host} timed out after ${options.timeoutMs} ms`;
  try {
    return await withTimeout(lookup(host), options.timeoutMs, timeoutMessage);
  } catch (err) {
    if (err instanceof TargetError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new TargetError("dns_failure", `cannot resolve ${host}${code ? ` (${code})` : ""}`);
  }
}

/**
 * The addresses `hostname` resolves to (overrides first, then DNS), de-duplicated, in
 * resolver order. Unless `allowPrivate`, refuses the whole target when any address is not
 * public: a name that mixes public and internal answers is not one we should talk to.
 */
export async function resolveTarget(hostname: string, options: ResolveTargetOptions): Promise<string[]> {
  const host = normalizeHostname(hostname);
  const addresses = [...new Set(await addressesOf(host, options))];
  const invalid = addresses.filter((ip) => net.isIP(ip) === 0);
  if (invalid.length > 0) throw new TargetError("invalid_target", `${host} resolves to invalid address(es) ${invalid.join(", ")}`);
  if (addresses.length === 0) throw new TargetError("dns_failure", `${host} has no addresses`);
  if (!options.allowPrivate) {
    const blocked = addresses.filter((ip) => !isPublicAddress(ip));
    if (blocked.length > 0) {
      throw new TargetError(
        "private_address",
        `${host} resolves to non-public address ${blocked.join(", ")}; refusing to connect (set SSLTRACKR_ALLOW_PRIVATE_TARGETS=true to allow private targets)`,
      );
    }
  }
  return addresses;
}
