// What CRL servers and OCSP responders said, kept until it may change: a CRL until its
// nextUpdate (one copy per URL, shared by every check of the process whatever triggered it;
// POST /check does not bypass it), an OCSP answer until its nextUpdate. Failures and answers
// that were not believed are kept a few minutes, so a failing server is not asked again by
// every check. Concurrent checks wanting the same entry share one fetch.
import type { OcspReading } from "../ocsp.js";
import type { Crl } from "./crl.js";

export interface RevocationCacheLimits {
  /** CRLs kept at most (the oldest entry goes first). */
  maxCrls: number;
  /** OCSP answers kept at most. */
  maxOcspAnswers: number;
  /** How long a failure, or an answer that was not believed, is kept (ms). */
  failureTtlMs: number;
  /** How long a believed answer without nextUpdate is kept (ms). */
  noNextUpdateTtlMs: number;
}

export const DEFAULT_CACHE_LIMITS: RevocationCacheLimits = {
  maxCrls: 256,
  maxOcspAnswers: 10_000,
  failureTtlMs: 5 * 60_000,
  noNextUpdateTtlMs: 60 * 60_000,
};

interface Entry<T> {
  value: Promise<T>;
  /** Epoch ms; Infinity while the fetch runs. */
  until: number;
}

/** What a loader returns: the value, its nextUpdate, and whether it is a failure (kept briefly). */
export interface Loaded<T> {
  value: T;
  nextUpdate: Date | null;
  failed: boolean;
}

class ExpiringMap<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly max: number,
    private readonly limits: RevocationCacheLimits,
  ) {}

  get(key: string, now: Date, load: () => Promise<Loaded<T>>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && cached.until > now.getTime()) return cached.value;
    const entry: Entry<T> = { value: Promise.resolve(undefined as T), until: Infinity };
    entry.value = load().then(
      (loaded) => {
        entry.until = this.until(loaded, now);
        return loaded.value;
      },
      (err: unknown) => {
        entry.until = 0; // loaders turn failures into values; should one throw, the next check tries again
        throw err;
      },
    );
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return entry.value;
  }

  private until(loaded: Loaded<T>, now: Date): number {
    const t = now.getTime();
    if (loaded.failed) return t + this.limits.failureTtlMs;
    if (!loaded.nextUpdate) return t + this.limits.noNextUpdateTtlMs;
    // A believed answer past its nextUpdate is not believed any more: like a failure.
    return loaded.nextUpdate.getTime() > t ? loaded.nextUpdate.getTime() : t + this.limits.failureTtlMs;
  }
}

/** A CRL as fetched and read, or why it could not be. */
export type CrlFetch = { crl: Crl } | { error: string };

/** One per process (checkersFromConfig makes it); tests make their own. */
export class RevocationCache {
  /** By URL. */
  readonly crls: ExpiringMap<CrlFetch>;
  /** By responder URL, issuer and serial. */
  readonly ocsp: ExpiringMap<OcspReading>;

  constructor(limits: Partial<RevocationCacheLimits> = {}) {
    const all = { ...DEFAULT_CACHE_LIMITS, ...limits };
    this.crls = new ExpiringMap(all.maxCrls, all);
    this.ocsp = new ExpiringMap(all.maxOcspAnswers, all);
  }
}
