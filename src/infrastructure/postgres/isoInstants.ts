// timestamptz values read as the API writes instants (RFC 3339 in UTC with milliseconds, as
// Date#toISOString does), straight from PostgreSQL's text form. For queries whose answers only
// pass instants on: pg's default turns each into a Date (postgres-date's regular expressions)
// and the answer turns it back into text, together ~12% of the server's CPU per GET /domains
// (20 rows of 4 instants; bench/profiles/4-list.md).
import pg from "pg";

/** pg_type.oid of timestamptz. */
const TIMESTAMPTZ_OID = 1184;
/** What PostgreSQL writes for a timestamptz in a session whose TimeZone is UTC (the usual one). */
const UTC_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

const parseAsDate = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text") as (text: string) => Date;

/**
 * The instant PostgreSQL wrote as `text`, exactly as `parseAsDate(text).toISOString()` writes
 * it (microseconds cut to milliseconds, as a Date holds them). Other time zones, years beyond
 * 9999 or BC, and infinities take that slower path itself (the last throw, as they did).
 */
export function isoInstant(text: string): string {
  const m = UTC_TEXT.exec(text);
  if (!m) return parseAsDate(text).toISOString();
  return `${m[1]}T${m[2]}.${(m[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
}

/** pg's per-query `types`: timestamptz as isoInstant strings, every other type as pg reads it. */
export const ISO_INSTANTS: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format: "text" | "binary" = "text") =>
    oid === TIMESTAMPTZ_OID && format === "text" ? isoInstant : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};
