// CSV that people open in spreadsheets, and that `ssltrackr domains import` reads back as it
// was written. A cell beginning with =, +, -, @, tab or CR is a formula to Excel, LibreOffice
// and Google Sheets (OWASP "CSV Injection"): tags, notes and registrar names come from users
// and from outside, so such a cell is written after an apostrophe, which spreadsheets show as
// text (csv-stringify's escape_formulas; negative numbers stay numbers). A cell that begins
// with an apostrophe of its own gets one more, so that reading removes exactly one.
import type { Options } from "csv-stringify";

/** csv-stringify options for spreadsheet-safe CSV (numbers must be given as numbers). */
export const SPREADSHEET_SAFE: Options = {
  escape_formulas: true,
  cast: { string: (value) => (value.startsWith("'") ? `'${value}` : value) },
};

/** A cell of spreadsheet-safe CSV as it was before writing: the escaping apostrophe removed. */
export const fromSpreadsheetCell = (cell: string): string => (/^'[=+\-@\t\r']/.test(cell) ? cell.slice(1) : cell);

/**
 * Tags as one CSV cell: joined with ";", a ";" or "\" inside a tag escaped with "\" (a tag
 * "a;b" stays one tag when read back).
 */
export const joinTags = (tags: readonly string[]): string => tags.map((t) => t.replace(/[\\;]/g, (c) => `\\${c}`)).join(";");

/** The tags of a cell joinTags wrote (or a person did): split at unescaped ";", trimmed, empty ones dropped. */
export function splitTags(cell: string): string[] {
  const tags: string[] = [];
  let current = "";
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c === "\\" && (cell[i + 1] === ";" || cell[i + 1] === "\\")) current += cell[++i];
    else if (c === ";") {
      tags.push(current);
      current = "";
    } else current += c;
  }
  tags.push(current);
  return tags.map((t) => t.trim()).filter(Boolean);
}
