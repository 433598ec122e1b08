// When a user's digest is due (issue #15, 3): daily or weekly, at a chosen hour of the user's
// time zone. Pure. Each period has a key (the local date, or the ISO 8601 week); a digest is
// sent once per key, so processes that race for it, a restart, or an hour that repeats when
// daylight saving time ends never send it twice. A period whose hour passed while nothing ran
// (the service was down) is still sent, late, within that period.
import { z } from "zod";

export const digestFrequency = z.enum(["daily", "weekly"]);
export type DigestFrequency = z.infer<typeof digestFrequency>;

export interface DigestTiming {
  readonly frequency: DigestFrequency;
  /** ISO 8601 weekday for weekly digests: 1 = Monday ... 7 = Sunday. */
  readonly weekday: number;
  /** Local hour, 0-23. */
  readonly hour: number;
}

export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  /** ISO 8601: 1 = Monday ... 7 = Sunday. */
  readonly weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall-clock time of `instant` in an IANA time zone (Intl's tz database). */
export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    weekday: "short",
    hourCycle: "h23",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    year: Number(part("year")),
    month: Number(part("month")),
    day: Number(part("day")),
    hour: Number(part("hour")),
    weekday: WEEKDAYS[part("weekday")] ?? 1,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO 8601 week of a calendar date: "2026-W49" (the week-numbering year can differ from the date's). */
export function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  // The week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${pad(week)}`;
}

/**
 * The digest period `now` falls in, and whether its send time has come: daily, from the
 * chosen hour of each local day; weekly, from the chosen hour of the chosen weekday until the
 * week (Monday to Sunday, ISO 8601) ends. `key` names the period (unique per user).
 */
export function digestPeriod(timing: DigestTiming, timeZone: string, now: Date): { key: string; due: boolean } {
  const local = localTimeOf(now, timeZone);
  if (timing.frequency === "daily") {
    return { key: `${local.year}-${pad(local.month)}-${pad(local.day)}`, due: local.hour >= timing.hour };
  }
  const due = local.weekday > timing.weekday || (local.weekday === timing.weekday && local.hour >= timing.hour);
  return { key: isoWeek(local.year, local.month, local.day), due };
}
