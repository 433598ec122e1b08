// HTTP Strict Transport Security, read from a real HTTPS response of the same host and port
// (over the same kind of probe connection, so servers with weak TLS still answer).
import http from "node:http";
import type tls from "node:tls";
import { BROAD_CLIENT, closeQuietly, connectTls, type ProbeTarget } from "./connection.js";
import type { HstsDetails } from "./result.js";

const ABSENT: HstsDetails = { present: false, max_age: null, include_subdomains: false, preload: false, header: null, error: null };

/**
 * Parses a Strict-Transport-Security value (RFC 6797 section 6.1). Directive names are
 * case-insensitive and values may be quoted; without a valid max-age the header is void, and
 * max-age=0 means "forget HSTS", so both count as absent.
 */
export function parseHsts(header: string | undefined): HstsDetails {
  if (header === undefined) return ABSENT;
  let maxAge: number | null = null;
  const flags = new Set<string>();
  for (const directive of header.split(";")) {
    const [rawName = "", ...rest] = directive.split("=");
    const name = rawName.trim().toLowerCase();
    const value = rest.join("=").trim().replace(/^"(.*)"$/, "$1");
    if (name === "max-age" && /^\d+$/.test(value)) maxAge = Number(value);
    else if (name) flags.add(name);
  }
  const present = maxAge !== null && maxAge > 0;
  return {
    present,
    max_age: maxAge,
    include_subdomains: present && flags.has("includesubdomains"),
    preload: present && flags.has("preload"),
    header,
    error: null,
  };
}

function hostHeader(hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return port === 443 ? host : `${host}:${port}`;
}

function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  // Only the first header counts (RFC 6797 8.1); Node joins repeats with ", ".
  const first = Array.isArray(value) ? value[0] : value;
  return first?.split(",")[0]?.trim();
}

function requestHeader(target: ProbeTarget, hostname: string, socket: tls.TLSSocket): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      createConnection: () => socket,
      method: "GET",
      path: "/",
      headers: { host: hostHeader(hostname, target.port), "user-agent": "SSLTrackr", accept: "*/*" },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no HTTP response within ${target.timeoutMs} ms`)), target.timeoutMs);
    req.on("response", (res) => {
      clearTimeout(timer);
      resolve(firstHeaderValue(res.headers["strict-transport-security"]));
      res.destroy();
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** HSTS as served on GET / over an open TLS connection. A failed request is reported, not thrown. */
export async function readHsts(target: ProbeTarget, hostname: string, socket: tls.TLSSocket): Promise<HstsDetails> {
  try {
    return parseHsts(await requestHeader(target, hostname, socket));
  } catch (err) {
    return { ...ABSENT, error: (err as Error).message };
  }
}

/** HSTS as served on GET / (no redirects followed), over a connection of its own. */
export async function fetchHsts(target: ProbeTarget, hostname: string): Promise<HstsDetails> {
  let socket: tls.TLSSocket;
  try {
    socket = await connectTls(target, BROAD_CLIENT);
  } catch (err) {
    return { ...ABSENT, error: (err as Error).message };
  }
  try {
    return await readHsts(target, hostname, socket);
  } finally {
    closeQuietly(socket);
  }
}
