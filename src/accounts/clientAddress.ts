// The "client" a per-IP sign-in limit counts: an IPv4 address, or the /64 network of an IPv6
// one, since a single subscriber usually holds a whole /64 (RFC 6177 §3 recommends at least
// that per site) and could otherwise take a fresh address for every attempt.
import { isIPv4, isIPv6 } from "node:net";

/** The eight 16-bit groups of an IPv6 address (any `::` expanded); its embedded IPv4 tail counts as two. */
function ipv6Groups(address: string): string[] {
  const withoutZone = address.split("%")[0]!;
  const [head = "", tail = ""] = withoutZone.split("::") as [string, string?];
  const parts = (text: string) => (text ? text.split(":").flatMap((p) => (isIPv4(p) ? ["0", "0"] : [p])) : []);
  const [before, after] = [parts(head), parts(tail)];
  const missing = withoutZone.includes("::") ? 8 - before.length - after.length : 0;
  return [...before, ...Array<string>(missing).fill("0"), ...after].map((g) => parseInt(g, 16).toString(16));
}

/** `198.51.100.7` as it is; `2001:db8:1:2:a:b:c:d` as `2001:db8:1:2::/64`; IPv4-mapped IPv6 as the IPv4 address. */
export function rateLimitedClient(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return mapped;
  if (!isIPv6(ip)) return ip;
  return `${ipv6Groups(ip).slice(0, 4).join(":")}::/64`;
}
