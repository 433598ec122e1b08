// The files `ssltrackr domains import` reads, turned into POST /domains/bulk rows:
// - a plain list: one `host` or `host:port` a line; blank lines and `#` comments (whole-line
//   or trailing) are skipped;
// - CSV with a header line naming the columns `hostname` (required), `port`, `tags` (several
//   separated by `;`, a `;` or `\` inside a tag escaped by `\`) and `notes`, in any order
//   (RFC 4180 quoting, parsed by csv-parse; a cell that `domains export` wrote after an
//   apostrophe, so that spreadsheets do not run it as a formula, is read without it). The
//   columns `ssltrackr domains export` adds (id, status, grades, days...) are ignored, so an
//   export can be imported again; any other column is an error, as is a header without
//   `hostname`.
// A file is CSV when its first line that is not blank or a comment has a comma, semicolon or
// tab (a hostname never does). Each row keeps its line number, so the import can report
// outcomes by line.
import { CsvError, parse } from "csv-parse/sync";
import { fromSpreadsheetCell, splitTags } from "../shared/spreadsheetCsv.js";

export interface ImportRow {
  /** 1-based line of the file the row came from. */
  readonly line: number;
  readonly body: { hostname: string; port?: number | string; tags?: string[]; notes?: string };
}

export interface ImportProblem {
  readonly line: number;
  readonly error: string;
}

export interface ImportFile {
  readonly format: "list" | "csv";
  readonly rows: readonly ImportRow[];
  /** Lines that are not a row at all (e.g. a CSV line with too many fields). */
  readonly problems: readonly ImportProblem[];
}

/** A file that cannot be imported at all (its header): nothing of it is sent. */
export class ImportFileError extends Error {}

const COLUMNS = ["hostname", "port", "tags", "notes"] as const;
/** Columns of `domains export` that are facts, not fields to import. */
const EXPORT_ONLY = new Set(["id", "status", "is_active", "ssl_grade", "ssl_days_remaining", "whois_days_remaining", "created_at"]);

const isSkipped = (line: string) => line.trim() === "" || line.trimStart().startsWith("#");

/**
 * `host` or `host:port`; the port stays text when it is not a number, for the API to refuse.
 * A URL (`https://host/...`) goes whole as the hostname, for the API to say what is wrong with
 * it (a scheme), not as the host "https" with the port "//host".
 */
function listEntry(text: string): ImportRow["body"] {
  const colon = text.lastIndexOf(":");
  if (colon < 0 || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { hostname: text };
  return { hostname: text.slice(0, colon), port: portOf(text.slice(colon + 1)) };
}

const portOf = (text: string): number | string => (/^\d{1,5}$/.test(text) ? Number(text) : text);

export function parseImportFile(text: string): ImportFile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const first = lines.findIndex((l) => !isSkipped(l));
  if (first >= 0 && /[,;\t]/.test(lines[first]!)) {
    const header = lines[first]!.split(",").map((c) => c.trim().toLowerCase());
    if (!header.includes("hostname")) throw new ImportFileError(`line ${first + 1}: a CSV header must name a hostname column (comma-separated: ${COLUMNS.join(",")})`);
    const unknown = header.filter((c) => !(COLUMNS as readonly string[]).includes(c) && !EXPORT_ONLY.has(c));
    if (unknown.length) throw new ImportFileError(`line ${first + 1}: unknown column(s) ${unknown.join(", ")}; the columns are ${COLUMNS.join(", ")}`);
    return parseCsv(lines, first, header);
  }
  const rows: ImportRow[] = [];
  lines.forEach((raw, i) => {
    const text = raw.replace(/\s+#.*$/, "").trim();
    if (isSkipped(text)) return;
    rows.push({ line: i + 1, body: listEntry(text) });
  });
  return { format: "list", rows, problems: [] };
}

type CsvRecord = { record: Record<string, string>; info: { lines: number; invalid_field_length: number } };

/**
 * The CSV's records. A file csv-parse cannot read to its end (a quote never closed) is an
 * ImportFileError naming the line, as a bad header is: nothing of it is sent.
 */
function parseRecords(text: string, headerIndex: number): CsvRecord[] {
  try {
    return parse(text, {
      columns: (names: string[]) => names.map((n) => n.trim().toLowerCase()),
      // Whole-line comments only: a cell may begin with "#" (a tag "#ops").
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    }) as CsvRecord[];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    // csv-parse counts lines from the header.
    throw new ImportFileError(`the CSV cannot be read (lines counted from the header's, line ${headerIndex + 1}): ${err.message}`);
  }
}

function parseCsv(lines: readonly string[], headerIndex: number, header: readonly string[]): ImportFile {
  const problems: ImportProblem[] = [];
  const records = parseRecords(lines.slice(headerIndex).join("\n"), headerIndex);
  const rows: ImportRow[] = [];
  for (const { record, info } of records) {
    const line = headerIndex + info.lines;
    if (info.invalid_field_length > 0) {
      problems.push({ line, error: `the number of fields differs from the header's ${header.length}` });
      continue;
    }
    const cell = (column: (typeof COLUMNS)[number]) => (record[column] ? fromSpreadsheetCell(record[column]) : undefined);
    const [hostname, port, tags, notes] = [cell("hostname"), cell("port"), cell("tags"), cell("notes")];
    rows.push({
      line,
      body: {
        hostname: hostname ?? "",
        ...(port ? { port: portOf(port) } : {}),
        ...(tags ? { tags: splitTags(tags) } : {}),
        ...(notes ? { notes } : {}),
      },
    });
  }
  return { format: "csv", rows, problems };
}
