// Which RDAP server serves a TLD: the IANA bootstrap registry for DNS (RFC 9224). The default
// comes from the `freewhois` npm package, which ships IANA's dns.json services verbatim and is
// republished as IANA changes it; at run time the live file replaces it when reachable, and is
// kept in memory. SSLTRACKR_RDAP_BOOTSTRAP (path or URL) replaces both, for tests and private setups.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { z } from "zod";
import { networkFailure } from "../failure.js";

export const IANA_RDAP_DNS_URL = "https://data.iana.org/rdap/dns.json";

/** [[tld, ...], [base URL, ...]] entries, as in RFC 9224 "services". */
export type BootstrapServices = Array<[string[], string[]]>;

const services = z.array(z.tuple([z.array(z.string()), z.array(z.string())]));
// The full registry file, or the bare services array that freewhois stores.
const bootstrapFile = z.union([z.looseObject({ services }), services]);

export function parseBootstrap(json: unknown): BootstrapServices {
  const parsed = bootstrapFile.parse(json);
  return Array.isArray(parsed) ? parsed : parsed.services;
}

/**
 * Base URLs for `domain`: the entry whose label suffix matches most labels (RFC 9224 §4),
 * each ending in "/" (some files omit it). HTTPS first.
 */
export function rdapBaseUrls(table: BootstrapServices, domain: string): string[] {
  const labels = domain.toLowerCase().split(".");
  for (let i = 1; i < labels.length; i++) {
    const suffix = labels.slice(i).join(".");
    const entry = table.find(([tlds]) => tlds.some((t) => t.toLowerCase() === suffix));
    if (entry) {
      const urls = entry[1].map((u) => (u.endsWith("/") ? u : `${u}/`));
      return urls.sort((a, b) => Number(b.startsWith("https:")) - Number(a.startsWith("https:")));
    }
  }
  return [];
}

export async function packagedBootstrap(): Promise<BootstrapServices> {
  const file = createRequire(import.meta.url).resolve("freewhois/tlds.json");
  return parseBootstrap(JSON.parse(await readFile(file, "utf8")));
}

/** Reads a bootstrap file from a path or an http(s) URL. */
export async function loadBootstrap(source: string, fetchFn: typeof fetch, timeoutMs: number): Promise<BootstrapServices> {
  if (!/^https?:\/\//i.test(source)) return parseBootstrap(JSON.parse(await readFile(source, "utf8")));
  try {
    const res = await fetchFn(source, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return parseBootstrap(await res.json());
  } catch (err) {
    throw networkFailure(err, `RDAP bootstrap ${source}`);
  }
}

export interface BootstrapCacheOptions {
  /** SSLTRACKR_RDAP_BOOTSTRAP: used instead of both packaged and live data */
  override?: string;
  refreshUrl: string;
  fetch: typeof fetch;
  /** a refresh must not hold up a check for long: capped well below the check timeout */
  timeoutMs: number;
  /** how long a refreshed file is used before asking IANA again */
  ttlMs: number;
  /** after a failed refresh, how long to stay with what we have before trying again */
  retryMs: number;
  clock?: () => number;
}

/** In-memory bootstrap data: live file when reachable, else the packaged copy. */
export class BootstrapCache {
  private current?: BootstrapServices;
  private nextRefresh = 0;
  private pending?: Promise<BootstrapServices>;
  /** where the data in use came from */
  origin: "override" | "iana" | "package" | "none" = "none";

  constructor(private readonly options: BootstrapCacheOptions) {}

  async services(): Promise<BootstrapServices> {
    const { override, clock = Date.now } = this.options;
    if (override) {
      this.current ??= await loadBootstrap(override, this.options.fetch, this.options.timeoutMs);
      this.origin = "override";
      return this.current;
    }
    if (this.current && clock() < this.nextRefresh) return this.current;
    this.pending ??= this.refresh().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async refresh(): Promise<BootstrapServices> {
    const { refreshUrl, fetch: fetchFn, timeoutMs, ttlMs, retryMs, clock = Date.now } = this.options;
    try {
      this.current = await loadBootstrap(refreshUrl, fetchFn, timeoutMs);
      this.origin = "iana";
      this.nextRefresh = clock() + ttlMs;
    } catch {
      // Offline or IANA unreachable: keep the last good file, else the packaged one.
      this.current ??= await packagedBootstrap();
      if (this.origin === "none") this.origin = "package";
      this.nextRefresh = clock() + retryMs;
    }
    return this.current;
  }
}
