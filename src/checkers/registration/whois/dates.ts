// WHOIS dates come in dozens of shapes. Everything is normalised to a UTC ISO 8601 string.
// A date or date-time without a zone is read as UTC: registries rarely say which zone they
// mean, and UTC keeps a zone-less value within a day of the truth (see docs/registration-checks.md).
import { isoInstant, utcDate } from "../../../shared/instant.js";

/** How to read NN/NN/YYYY: day first (most registries) or month first. */
export type DayMonthOrder = "dmy" | "mdy";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Named zones seen in registry answers; anything else falls back to UTC. */
const ZONES: Record<string, number> = {
  utc: 0, gmt: 0, z: 0, ut: 0,
  jst: 540, kst: 540, hkt: 480, awst: 480, wat: 60, cat: 120, eat: 180,
  cet: 60, cest: 120, met: 60, mest: 120, eet: 120, eest: 180, msk: 180, ist: 330,
  brt: -180, brst: -120, clt: -240, clst: -180, est: -300, edt: -240, pst: -480, pdt: -420,
};

interface DatePart {
  y: number;
  mo: number;
  d: number;
  /** what follows the date: time and zone, if any */
  rest: string;
}

function monthIndex(name: string): number | undefined {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return i < 0 ? undefined : i + 1;
}

/** "+09:00", "+0900", "+09", "-3", "UTC+9", "GMT+9:00", "(JST)" -> minutes east of UTC. */
function readOffset(text: string): number | undefined {
  const t = text.replace(/[()[\]]/g, " ").trim().toLowerCase();
  if (t === "") return 0;
  const numeric = /^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b/.exec(t);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return numeric[1] === "-" ? -minutes : minutes;
  }
  const word = /^([a-z]+)\b/.exec(t)?.[1];
  return word !== undefined ? ZONES[word] : undefined;
}

function twoDigitYear(y: number): number {
  return y < 100 ? (y < 70 ? 2000 + y : 1900 + y) : y;
}

/** Date shapes tried in order. */
const SHAPES: Array<(s: string, order: DayMonthOrder) => DatePart | undefined> = [
  // 20260405000000, 20260405000000Z: a compact date-time (EPP/ASN.1 style), before the date-only shape
  (s) => {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?!\d)(.*)$/.exec(s);
    return m ? { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), rest: ` ${m[4]}:${m[5]}:${m[6]}${m[7]}` } : undefined;
  },
  // 2026-Apr-04, 2026-Apr-04., 2026 April 04
  (s) => {
    const m = /^(\d{4})[-/.\s]([a-z]{3,9})\.?[-/.\s](\d{1,2})(?!\d)\.?(.*)$/i.exec(s);
    const mo = m ? monthIndex(m[2]!) : undefined;
    return m && mo ? { y: Number(m[1]), mo, d: Number(m[3]), rest: m[4]! } : undefined;
  },
  // 2017-11-18, 2017/11/18, 2017.11.18, 2017. 11. 18., 20171118, 20171118 #162310
  (s) => {
    const m = /^(\d{4})(?:[-/.]\s?|(?=\d{4}))(\d{1,2})(?:[-/.]\s?|(?=\d{2}))(\d{1,2})(?!\d)\.?(.*)$/.exec(s);
    return m ? { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), rest: m[4]! } : undefined;
  },
  // 18-Nov-2017, 18 Nov 2017, 18-November-2017, 30th April 2003
  (s) => {
    const m = /^(\d{1,2})(?:st|nd|rd|th)?[-\s./]([a-z]{3,9})\.?[-\s./,]+(\d{4}|\d{2}\b)(.*)$/i.exec(s);
    const mo = m ? monthIndex(m[2]!) : undefined;
    return m && mo ? { y: twoDigitYear(Number(m[3])), mo, d: Number(m[1]), rest: m[4]! } : undefined;
  },
  // Nov 18 2017, November 18, 2017
  (s) => {
    const m = /^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(.*)$/i.exec(s);
    const mo = m ? monthIndex(m[1]!) : undefined;
    return m && mo ? { y: Number(m[3]), mo, d: Number(m[2]), rest: m[4]! } : undefined;
  },
  // 18.11.2017, 18/11/2017, 11/18/2017, 18-11-2017: a part above 12 is the day, else `order`
  (s, order) => {
    const m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(.*)$/.exec(s);
    if (!m) return undefined;
    const [a, b] = [Number(m[1]), Number(m[2])];
    const dayFirst = a > 12 ? true : b > 12 ? false : order === "dmy";
    return { y: Number(m[3]), mo: dayFirst ? b : a, d: dayFirst ? a : b, rest: m[4]! };
  },
];

/** Drops a weekday prefix and turns ctime ("Dec 12 00:00:00 GMT 2017") into "Dec 12 2017 00:00:00 GMT". */
function preClean(raw: string): string {
  const s = raw.trim().replace(/^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+/i, "");
  const ctime = /^([a-z]{3})\s+(\d{1,2})\s+(\d{2}:\d{2}:\d{2})\s+(?:([a-z]{2,5})\s+)?(\d{4})$/i.exec(s);
  return ctime ? `${ctime[1]} ${ctime[2]} ${ctime[5]} ${ctime[3]} ${ctime[4] ?? ""}` : s;
}

/** Time of day and zone after the date: "T19:11:28.5Z", " 01:08:04 (UTC+9)", " #162310". */
function timeAndOffset(rest: string): { ms: number; offset: number } | undefined {
  const m = /^[-T\s,]*(?:at\s+)?(?:(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(.*)$/i.exec(rest);
  if (!m) return undefined;
  const [h, mi, s] = [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  if (h > 24 || mi > 59 || s > 60) return undefined;
  const zone = m[5]!
    .replace(/#.*$/, "")
    .replace(/\((?:yyyy|dd|mm)[^)]*\)/i, "")
    .trim()
    // malformed but meaningful: "19:00:-0500Z" is -05:00 with a stray colon and Z, not UTC
    .replace(/^:+\s*(?=[+-]\d)/, "")
    .replace(/^([+-]\d{2}:?\d{2})z$/i, "$1");
  const frac = Number((m[4] ?? "").slice(0, 3).padEnd(3, "0"));
  const offset = readOffset(zone);
  // An offset we cannot read is not silently UTC: the value is not a date we can trust.
  if (offset === undefined && /^[+-:]/.test(zone)) return undefined;
  return { ms: ((h * 60 + mi) * 60 + s) * 1000 + frac, offset: offset ?? 0 };
}

/**
 * Parses one WHOIS date value. Returns a UTC ISO string, or null when the text holds no
 * recognisable date. `order` settles NN/NN/YYYY values that neither part proves.
 */
export function parseWhoisDate(raw: string, order: DayMonthOrder = "dmy"): string | null {
  const s = preClean(raw);
  for (const shape of SHAPES) {
    const date = shape(s, order);
    if (!date) continue;
    const time = timeAndOffset(date.rest);
    if (!time || date.mo < 1 || date.mo > 12 || date.d < 1) return null;
    const midnight = utcDate(date.y, date.mo, date.d).getTime();
    // Reject 31 February and similar roll-overs.
    if (new Date(midnight).getUTCDate() !== date.d) return null;
    return isoInstant(new Date(midnight + time.ms - time.offset * 60_000));
  }
  return null;
}

/**
 * Which order the record's own dates prove: a part above 12 can only be a day. Returns
 * undefined when no NN/NN/YYYY value in the record settles it.
 */
export function provenOrder(values: string[]): DayMonthOrder | undefined {
  for (const v of values) {
    const m = /(?:^|\s)(\d{1,2})[-/.](\d{1,2})[-/.]\d{4}/.exec(v);
    if (!m) continue;
    if (Number(m[1]) > 12) return "dmy";
    if (Number(m[2]) > 12) return "mdy";
  }
  return undefined;
}
