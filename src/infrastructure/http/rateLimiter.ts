// Per-user sliding-window rate limits, exact across any number of app processes: hits are
// rows in PostgreSQL, counted under a transaction-scoped advisory lock per (user, route).
// Answers carry the RateLimit-* headers (IETF draft) and Retry-After when refused.
import type { Knex } from "knex";
import type { Response } from "express";
import type { Clock } from "../../shared/clock.js";
import { RateLimitedError } from "../../shared/errors.js";
import { actorOf } from "./authentication.js";

export interface RateLimit {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export async function ensureRateLimitTable(knex: Knex): Promise<void> {
  await knex.raw(`create table if not exists rate_limit_hits (
    bucket text not null,
    hit_at timestamptz not null
  )`);
  await knex.raw(`create index if not exists rate_limit_hits_bucket on rate_limit_hits (bucket, hit_at)`);
  // One round trip per decision. In a function each statement sees what committed before it
  // (READ COMMITTED), so the count taken after the lock includes every earlier hit. Hits are
  // telemetry of a window, not facts: they commit without waiting for the WAL flush.
  await knex.transaction(async (trx) => {
    await trx.raw("select pg_advisory_xact_lock(hashtext('rate_limit_take'))");
    await trx.raw(`create or replace function rate_limit_take(p_bucket text, p_limit int, p_window_start timestamptz, p_now timestamptz)
      returns table (hits int, oldest timestamptz) language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(hashtext(p_bucket));
        perform set_config('synchronous_commit', 'off', true);
        delete from rate_limit_hits where bucket = p_bucket and hit_at <= p_window_start;
        select count(*)::int, min(hit_at) into hits, oldest from rate_limit_hits where bucket = p_bucket;
        if hits < p_limit then
          insert into rate_limit_hits (bucket, hit_at) values (p_bucket, p_now);
        end if;
        return next;
      end $$`);
  });
}

interface Decision {
  readonly allowed: boolean;
  readonly remaining: number;
  /** Seconds until the oldest hit in the window leaves it. */
  readonly resetSeconds: number;
}

export async function takeToken(knex: Knex, bucket: string, rule: RateLimit, now: Date): Promise<Decision> {
  const windowStart = new Date(now.getTime() - rule.windowSeconds * 1000);
  const { rows } = await knex.raw<{ rows: { hits: number; oldest: Date | null }[] }>("select hits, oldest from rate_limit_take(?, ?, ?, ?)", [
    bucket,
    rule.limit,
    windowStart,
    now,
  ]);
  const hits = rows[0]?.hits ?? 0;
  const oldest = rows[0]?.oldest ?? now;
  const resetSeconds = Math.max(1, Math.ceil((oldest.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000));
  if (hits >= rule.limit) return { allowed: false, remaining: 0, resetSeconds };
  return { allowed: true, remaining: rule.limit - hits - 1, resetSeconds };
}

/** Takes one of the caller's requests from a rule's quota, or throws RateLimitedError (429). */
export type QuotaCheck = (res: Response) => Promise<void>;

/**
 * A route calls its check after validating the request, so a request rejected as malformed
 * (400) uses no quota: a client fixing its input is never locked out by its own mistakes.
 * Answers that took a token carry the RateLimit-* headers.
 */
export function rateLimiter(knex: Knex, clock: Clock, rule: RateLimit): QuotaCheck {
  return async (res) => {
    const actor = actorOf(res);
    const decision = await takeToken(knex, `${rule.name}:${actor.userId}`, rule, clock.now());
    res.setHeader("RateLimit-Policy", `${rule.limit};w=${rule.windowSeconds}`);
    res.setHeader("RateLimit-Limit", String(rule.limit));
    res.setHeader("RateLimit-Remaining", String(decision.remaining));
    res.setHeader("RateLimit-Reset", String(decision.resetSeconds));
    if (!decision.allowed) throw new RateLimitedError(decision.resetSeconds);
  };
}
