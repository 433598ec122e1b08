// Instants as the service writes them: RFC 3339 in UTC (Date#toISOString), within the years
// 0001-9999. RFC 3339 §5.6 gives a year four digits, and PostgreSQL's timestamptz takes no
// year 0 and no `+010000-...` (Date#toISOString's expanded years, ECMA-262 §21.4.1.32): an
// instant outside that range would be accepted, appended, and then fail every projection that
// writes it into a column. So input is held to the range at the edge (the API answers 400;
// dates from certificates, registries and ACME servers are clamped), and instants already
// stored outside it are read as the nearest end of it: far in the future or far in the past,
// as they were meant.
import { z } from "zod";

export const EARLIEST_INSTANT = "0001-01-01T00:00:00.000Z";
export const LATEST_INSTANT = "9999-12-31T23:59:59.999Z";
const EARLIEST_MS = Date.parse(EARLIEST_INSTANT);
const LATEST_MS = Date.parse(LATEST_INSTANT);

/**
 * The UTC instant of a calendar date and time. Not Date.UTC, which reads the years 0-99 as
 * 1900-1999: a certificate's GeneralizedTime or a registry's date in the year 0050 is the year 50.
 */
export function utcDate(year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hours, minutes, seconds);
  return date;
}

/** Whether `date` is a valid Date within the years 0001-9999 (UTC). */
export const inInstantRange = (date: Date): boolean => date.getTime() >= EARLIEST_MS && date.getTime() <= LATEST_MS;

/**
 * `date` as an RFC 3339 UTC instant (Date#toISOString), clamped into the years 0001-9999; an
 * invalid Date throws a RangeError, as toISOString does.
 */
export function isoInstant(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError("Invalid time value");
  return new Date(Math.min(Math.max(ms, EARLIEST_MS), LATEST_MS)).toISOString();
}

const isDate = (text: string) => !Number.isNaN(Date.parse(text));

/**
 * An instant given at an edge (API, CLI) with its UTC offset (RFC 3339 §5.6), passed on as the
 * same instant in UTC (Date#toISOString). Outside the years 0001-9999 in UTC it fails (the API
 * answers 400), offsets included: 9999-12-31T23:59:59-05:00 lies in the year 10000.
 */
export const instantInput = () =>
  z.iso
    .datetime({ offset: true })
    // Checks and overwrites run on text the format refused too: leave that to its message.
    .refine((s) => !isDate(s) || inInstantRange(new Date(s)), `must lie between ${EARLIEST_INSTANT} and ${LATEST_INSTANT} (UTC)`)
    .overwrite((s) => (isDate(s) ? new Date(s).toISOString() : s));

/**
 * A stored instant (an event's): an RFC 3339 UTC instant, kept as written; one stored outside
 * the years 0001-9999 before the edges held input to them (year 0, or Date#toISOString's
 * `+010000-...`) is read as the nearest end of the range. As a preprocess, so the schema
 * (and the API document of it) stays that of an RFC 3339 instant.
 */
export const storedInstant = z.preprocess((value) => (typeof value === "string" ? storableInstant(value) : value), z.iso.datetime());

/**
 * `stored` as storedInstant reads it, for projections, which take stored data as it is
 * (EventCodec.upcast): unchanged within the years 0001-9999 (and when not a date at all or null).
 */
export function storableInstant(stored: string): string;
export function storableInstant(stored: string | null): string | null;
export function storableInstant(stored: string | null): string | null {
  if (stored === null) return null;
  const date = new Date(stored);
  return Number.isNaN(date.getTime()) || inInstantRange(date) ? stored : isoInstant(date);
}
