// Answers written by PostgreSQL: a read model's row turned into the API's JSON where it is read,
// so a hot read (GET /domains) passes each item on as text instead of parsing every column,
// building an object and serialising it again. On GET /domains those steps, and the garbage
// they left, were the largest share of the server's CPU per request that depended on the page
// (bench/profiles/4-list.md, session 9). The expressions need PostgreSQL 14 or later
// (`extract` returns numeric, so day arithmetic is exact).

/**
 * The timestamptz `column` as the API writes instants: RFC 3339 in UTC with milliseconds,
 * exactly the text Date#toISOString writes for it (microseconds cut, as a Date cuts them;
 * whatever the session's TimeZone). For years 1 to 9999, which is all certificates and
 * registries can state (RFC 5280 section 4.1.2.5.2: GeneralizedTime has four year digits).
 */
export const isoInstantSql = (column: string): string => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Whole days from the timestamptz `now` (an SQL expression) until the timestamptz `column`,
 * rounded down, exactly as daysUntil (src/shared/clock.ts) computes them from the same instants
 * read into Dates (milliseconds). Null when `column` is null.
 */
export const daysUntilSql = (column: string, now: string): string =>
  `floor((extract(epoch from date_trunc('milliseconds', ${column})) - extract(epoch from ${now})) / 86400)::int`;

/** An answer's fields: each its SQL expression over the row, the object's keys in the answer's order. */
export type FieldsSql<Answer> = { readonly [K in keyof Required<Answer>]: string };

/**
 * The JSON object of `fields` for the current row, as JSON.stringify writes it: keys in the
 * given order, no white space between members (`row_to_json`; a jsonb value keeps its own
 * text, which puts a space after each comma). Type json: pg reads it as a parsed value; cast to
 * text to pass it on as it is.
 */
export const jsonObjectSql = (fields: Readonly<Record<string, string>>): string =>
  `(select row_to_json(answer) from (select ${Object.entries(fields)
    .map(([name, sql]) => `${sql} as "${name}"`)
    .join(", ")}) as answer)`;
