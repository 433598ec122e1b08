// Per-server politeness: registries ban clients that query too fast. Each server (WHOIS host
// or RDAP origin) gets a concurrency limit and a minimum interval between query starts, and
// after a throttle answer a backoff during which it is not asked at all.
import { LookupFailure } from "./failure.js";

export interface PolitenessOptions {
  /** queries in flight per server */
  maxConcurrent: number;
  /** minimum time between two query starts on one server */
  minIntervalMs: number;
  /** first backoff after a throttle answer without Retry-After; doubles on each repeat */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_POLITENESS: PolitenessOptions = {
  maxConcurrent: 2,
  minIntervalMs: 500,
  backoffMs: 60_000,
  maxBackoffMs: 3_600_000,
};

interface ServerState {
  active: number;
  nextStart: number;
  waiters: Array<() => void>;
  blockedUntil: number;
  throttles: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ServerLimiter {
  private readonly servers = new Map<string, ServerState>();

  constructor(
    private readonly options: PolitenessOptions = DEFAULT_POLITENESS,
    private readonly clock: () => number = Date.now,
  ) {}

  private state(server: string): ServerState {
    let s = this.servers.get(server);
    if (!s) {
      s = { active: 0, nextStart: 0, waiters: [], blockedUntil: 0, throttles: 0 };
      this.servers.set(server, s);
    }
    return s;
  }

  /** Milliseconds until `server` may be asked again after a throttle; 0 when it may now. */
  backoffRemaining(server: string): number {
    return Math.max(0, this.state(server).blockedUntil - this.clock());
  }

  /** Runs `fn` once a slot on `server` is free and the minimum interval has passed. */
  async run<T>(server: string, fn: () => Promise<T>): Promise<T> {
    const s = this.state(server);
    while (s.active >= this.options.maxConcurrent) await new Promise<void>((resolve) => s.waiters.push(resolve));
    s.active++;
    try {
      const now = this.clock();
      const wait = s.nextStart - now;
      s.nextStart = Math.max(now, s.nextStart) + this.options.minIntervalMs;
      if (wait > 0) await sleep(wait);
      return await fn();
    } finally {
      s.active--;
      s.waiters.shift()?.();
    }
  }

  /** A throttle answer: back off for Retry-After, or exponentially from backoffMs. */
  reportThrottle(server: string, retryAfterMs?: number): number {
    const s = this.state(server);
    s.throttles++;
    const exponential = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (s.throttles - 1));
    const delay = retryAfterMs ?? exponential;
    s.blockedUntil = this.clock() + delay;
    return delay;
  }

  /** A normal answer ends the backoff escalation. */
  reportSuccess(server: string): void {
    this.state(server).throttles = 0;
  }
}

/**
 * Runs one query on `server` within its limits. While the server is in backoff it is not
 * asked: the check fails as rate_limited with the time left. A rate_limited answer starts or
 * extends the backoff.
 */
export async function politely<T>(limiter: ServerLimiter, server: string, fn: () => Promise<T>): Promise<T> {
  const waitMs = limiter.backoffRemaining(server);
  if (waitMs > 0) {
    throw new LookupFailure("rate_limited", `${server}: backing off after a throttle answer`, Math.ceil(waitMs / 1000));
  }
  try {
    const result = await limiter.run(server, fn);
    limiter.reportSuccess(server);
    return result;
  } catch (err) {
    if (err instanceof LookupFailure && err.reason === "rate_limited") {
      const delay = limiter.reportThrottle(server, err.retryAfterSeconds === null ? undefined : err.retryAfterSeconds * 1000);
      throw new LookupFailure("rate_limited", err.message, Math.ceil(delay / 1000));
    }
    throw err;
  }
}
