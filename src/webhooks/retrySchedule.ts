// When a failed delivery is tried again. The default spreads seven attempts over about 20
// hours, so a receiver that is down for an afternoon still gets its alerts.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Waits after the 1st, 2nd, ... failed attempt; after the last, the delivery is dead. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR, 12 * HOUR];

/** ±20%: deliveries that failed together (one receiver outage) do not retry in lockstep. */
const JITTER = 0.2;

/**
 * The wait before the next try after failed attempt number `attempt` (1-based), or null
 * when that was the last one.
 */
export function retryDelayMs(attempt: number, delays: readonly number[], random: () => number = Math.random): number | null {
  const base = delays[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}
