// Which WHOIS server answers for a TLD, and what to send it. In order:
//  1. SSLTRACKR_WHOIS_SERVERS overrides (tests, private setups);
//  2. the table of the `whois` npm package (servers.json, ~750 TLDs), which also carries the
//     query syntax some registries need (Verisign "DOMAIN x", DENIC "-T dn x", JPRS "x/e");
//  3. IANA's referral (whois.iana.org answers "refer: whois.nic.xx" for a TLD), cached.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { z } from "zod";
import type { WhoisEndpoint } from "./client.js";

export interface WhoisServer extends WhoisEndpoint {
  /** query line with "$addr" for the domain, including the CRLF */
  query: string;
}

export const DEFAULT_QUERY = "$addr\r\n";
export const IANA_WHOIS: WhoisEndpoint = { host: "whois.iana.org", port: 43 };

const tableEntry = z.union([
  z.string(),
  z.looseObject({ host: z.string(), query: z.string().optional() }),
  z.null(),
]);
const tableSchema = z.record(z.string(), z.unknown());
export type WhoisTable = Map<string, WhoisServer>;

/** host or "host:port" */
export function endpointOf(text: string): WhoisEndpoint {
  const m = /^(.+?)(?::(\d+))?$/.exec(text.trim())!;
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 43 };
}

export async function packagedWhoisTable(): Promise<WhoisTable> {
  const file = createRequire(import.meta.url).resolve("whois/servers.json");
  const raw = tableSchema.parse(JSON.parse(await readFile(file, "utf8")));
  const table: WhoisTable = new Map();
  for (const [tld, value] of Object.entries(raw)) {
    const entry = tableEntry.safeParse(value);
    if (!entry.success || entry.data === null || entry.data === "") continue;
    const host = typeof entry.data === "string" ? entry.data : entry.data.host;
    const query = typeof entry.data === "string" ? DEFAULT_QUERY : (entry.data.query ?? DEFAULT_QUERY);
    table.set(tld.toLowerCase(), { ...endpointOf(host), query });
  }
  return table;
}

/** "refer: whois.nic.xx" (or "whois: ...") in IANA's answer for a TLD; undefined if none. */
export function ianaReferral(text: string): string | undefined {
  return /^\s*(?:refer|whois):\s*(\S+)\s*$/im.exec(text)?.[1]?.toLowerCase();
}

/** The server for a domain's suffix: the longest suffix first ("co.uk" before "uk"). */
export function lookupServer(table: WhoisTable, publicSuffix: string): WhoisServer | undefined {
  const labels = publicSuffix.toLowerCase().split(".");
  for (let i = 0; i < labels.length; i++) {
    const found = table.get(labels.slice(i).join("."));
    if (found) return found;
  }
  return undefined;
}

export function queryLine(server: WhoisServer, domain: string): string {
  return server.query.replace("$addr", domain);
}
