// State that outlives one check: per-server politeness, the RDAP bootstrap data, the WHOIS
// server table and IANA referrals. One instance is shared by all checks of a process (the
// default below); tests create their own so that nothing leaks between them.
import { DEFAULT_POLITENESS, ServerLimiter, type PolitenessOptions } from "./politeness.js";
import { BootstrapCache, type BootstrapCacheOptions } from "./rdap/bootstrap.js";
import { packagedWhoisTable, type WhoisTable } from "./whois/servers.js";

const DAY_MS = 86_400_000;

export class RegistryState {
  readonly limiter: ServerLimiter;
  private readonly bootstraps = new Map<string, BootstrapCache>();
  private whoisTable?: Promise<WhoisTable>;
  /** TLD -> WHOIS host from IANA (null: IANA knows none) */
  readonly ianaReferrals = new Map<string, string | null>();

  constructor(politeness: Partial<PolitenessOptions> = {}) {
    this.limiter = new ServerLimiter({ ...DEFAULT_POLITENESS, ...politeness });
  }

  /** One cache per bootstrap source (override path/URL or the IANA URL). */
  bootstrap(options: Omit<BootstrapCacheOptions, "ttlMs" | "retryMs">): BootstrapCache {
    const key = options.override ?? options.refreshUrl;
    let cache = this.bootstraps.get(key);
    if (!cache) {
      cache = new BootstrapCache({ ttlMs: DAY_MS, retryMs: DAY_MS / 24, ...options });
      this.bootstraps.set(key, cache);
    }
    return cache;
  }

  packagedWhoisTable(): Promise<WhoisTable> {
    this.whoisTable ??= packagedWhoisTable();
    return this.whoisTable;
  }
}

export const defaultRegistryState = new RegistryState();
