// Alert titles and messages, in the published API's style:
//   "SSL certificate expires in 30 days" /
//   "The SSL certificate for example.com expires on 2026-03-25. 30 days remaining."
import { DAY_MS } from "../shared/clock.js";
import type { AlertSeverity } from "./checkEvents.js";

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
const dateOnly = (iso: string) => iso.slice(0, 10);
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * How long ago `expiresAt` passed, in whole days since (rounded down): "less than a day ago"
 * on the first day, "1 day ago" on the second. Not from days remaining, which the API rounds
 * down too (-1 all through the first day after): negated, it is a day too many.
 */
export function expiredAgo(expiresAt: string, now: Date): string {
  const since = Math.floor((now.getTime() - Date.parse(expiresAt)) / DAY_MS);
  return since < 1 ? "less than a day ago" : `${days(since)} ago`;
}

/**
 * Title and message of an expiry alert. Both state the real whole days left (`remaining`,
 * floor of days until `expiresAt`), not the threshold that was crossed: a first check that
 * finds 4 days left says "expires in 4 days" whichever threshold it raised.
 */
export function expiryText(what: "SSL certificate" | "Domain", name: string, expiresAt: string, remaining: number, now: Date) {
  const subject = what === "SSL certificate" ? `The SSL certificate for ${name}` : `The domain ${name}`;
  if (remaining < 0) {
    return {
      title: `${what} has expired`,
      message: `${subject} expired on ${dateOnly(expiresAt)}. ${capitalised(expiredAgo(expiresAt, now))}.`,
    };
  }
  return {
    title: remaining === 0 ? `${what} expires today` : `${what} expires in ${days(remaining)}`,
    message: `${subject} expires on ${dateOnly(expiresAt)}. ${days(remaining)} remaining.`,
  };
}

/** Severity rises as the date nears: beyond 30 days info, down to 14 warning, 7 and below critical. */
export const expirySeverity = (threshold: number): AlertSeverity =>
  threshold > 30 ? "info" : threshold > 7 ? "warning" : "critical";
