// `ssltrackr domains import <file> [--dry-run] [--json]` and
// `ssltrackr domains export [--format csv|json] [--out FILE]`: a user's domains in and out,
// through the API of a running server (SSLTRACKR_API_URL, default this host's PORT) with the
// user's API key (--key or SSLTRACKR_API_KEY), so imports keep every rule of the API: tenancy,
// validation, rate limits, read-your-writes.
// Import sends POST /domains/bulk in chunks of 1,000 rows (a 429 or 503 waits and retries the
// chunk: bulk requests are safe to repeat), shows a progress bar on a terminal, and prints each
// problem by line and a summary. --dry-run validates the file with the API's own schema and
// sends nothing. A line repeating an earlier one is skipped, not an error. Exit codes: 0 every
// row added or already monitored, 1 some row refused or the API unreachable, 2 usage or a file
// that cannot be imported (its header).
// Export reads GET /domains page by page: CSV (the list fields) or JSON (an array).
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { SingleBar, Presets } from "cli-progress";
import { stringify } from "csv-stringify/sync";
import { loadConfig } from "../../config.js";
import { BULK_MAX_ROWS } from "../../domains/bulkImport.js";
import { createDomainBody } from "../../domains/domainRoutes.js";
import { ImportFileError, parseImportFile, type ImportProblem, type ImportRow } from "../../domains/importFile.js";
import { validate } from "../../infrastructure/http/validation.js";
import { eachLimited } from "../../shared/eachLimited.js";
import { joinTags, SPREADSHEET_SAFE } from "../../shared/spreadsheetCsv.js";

const USAGE = [
  "usage: ssltrackr domains import <file> [--dry-run] [--json] [--key KEY] [--url URL]",
  "       ssltrackr domains export [--format csv|json] [--out FILE] [--key KEY] [--url URL]",
].join("\n");

class UsageError extends Error {}
/** The API refused or failed: printed as one line, exit 1. */
class ApiError extends Error {}

interface Api {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; retryAfter: number | null }>;
}

function apiFrom(values: { key?: string | undefined; url?: string | undefined }): Api {
  const config = loadConfig();
  const key = values.key ?? config.SSLTRACKR_API_KEY;
  if (!key) throw new UsageError("an API key is needed: --key or SSLTRACKR_API_KEY");
  const url = values.url ?? config.SSLTRACKR_API_URL ?? `http://127.0.0.1:${config.PORT}`;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--url ${url} is not an http(s) URL`);
  const base = url.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return {
    async request(method, path, body) {
      let res: Response;
      try {
        res = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
        throw new ApiError(`cannot reach the API at ${base}${cause}`);
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        throw new ApiError(`${method} ${path} answered ${res.status} with a body that is not JSON: is ${base} an SSLTrackr server?`);
      }
      const retryAfter = res.headers.get("retry-after");
      return { status: res.status, body: parsed, retryAfter: retryAfter ? Number(retryAfter) : null };
    },
  };
}

const errorOf = (body: unknown) => (body && typeof body === "object" && "error" in body ? String(body.error) : JSON.stringify(body));

type RowResult = { index: number; status: number; error?: string };

/** Under the API's 2 MiB body limit for POST /domains/bulk, with room for JSON framing. */
const MAX_CHUNK_BYTES = 1_500_000;

/** Rows in request-sized chunks: at most BULK_MAX_ROWS rows and MAX_CHUNK_BYTES of JSON each. */
function chunks(rows: readonly ImportRow[]): ImportRow[][] {
  const out: ImportRow[][] = [];
  let current: ImportRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row.body)) + 1;
    if (current.length && (current.length === BULK_MAX_ROWS || bytes + size > MAX_CHUNK_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/** The lines after the first of each hostname and port, with the line they repeat. */
function repeatedLines(rows: readonly ImportRow[]): Map<number, number> {
  const first = new Map<string, number>();
  const repeats = new Map<number, number>();
  for (const { line, body } of rows) {
    const key = `${String(body.hostname).trim().toLowerCase()}:${body.port ?? 443}`;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, line);
    else repeats.set(line, seen);
  }
  return repeats;
}

/** One bulk request, repeated after a 429 or 503 (bounded): bulk requests are idempotent. */
async function sendChunk(api: Api, rows: readonly ImportRow[]): Promise<RowResult[]> {
  for (let attempt = 1; ; attempt++) {
    const res = await api.request("POST", "/domains/bulk", { domains: rows.map((r) => r.body) });
    if (res.status === 200) return (res.body as { results: RowResult[] }).results;
    if ((res.status === 429 || res.status === 503) && attempt < 10) {
      await new Promise((r) => setTimeout(r, Math.min(60, res.retryAfter ?? 5) * 1000));
      continue;
    }
    throw new ApiError(`POST /domains/bulk answered ${res.status}: ${errorOf(res.body)}`);
  }
}

async function importDomains(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { "dry-run": { type: "boolean", default: false }, json: { type: "boolean", default: false }, key: { type: "string" }, url: { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("one file to import");
  let file;
  try {
    file = parseImportFile(await readFile(positionals[0]!, "utf8"));
  } catch (err) {
    if (err instanceof ImportFileError) throw new UsageError(`${positionals[0]!}: ${err.message}`);
    throw err;
  }
  const problems: ImportProblem[] = [...file.problems];
  const repeats = repeatedLines(file.rows);
  const notes: ImportProblem[] = [...repeats].map(([line, first]) => ({ line, error: `repeats line ${first}, skipped` }));
  const rows = file.rows.filter((r) => !repeats.has(r.line));
  const summary = { rows: file.rows.length + file.problems.length, created: 0, already_monitored: 0, repeated: repeats.size, invalid: file.problems.length };

  if (values["dry-run"]) {
    for (const row of rows) {
      const parsed = validate(createDomainBody, row.body);
      if (!parsed.ok) problems.push({ line: row.line, error: parsed.error });
    }
    summary.invalid = problems.length;
    return report({ ...summary, dry_run: true, valid: rows.length - (problems.length - file.problems.length) }, problems, notes, values.json ?? false);
  }

  const api = apiFrom(values);
  const bar = new SingleBar({ format: "importing [{bar}] {value}/{total} rows", stream: process.stderr }, Presets.shades_classic);
  if (process.stderr.isTTY) bar.start(rows.length, 0);
  try {
    for (const chunk of chunks(rows)) {
      for (const r of await sendChunk(api, chunk)) {
        if (r.status === 201) summary.created++;
        else if (r.status === 409) summary.already_monitored++;
        else {
          summary.invalid++;
          // The API names fields by row index: name the file's line instead.
          problems.push({ line: chunk[r.index]!.line, error: (r.error ?? `status ${r.status}`).replace(/^Invalid domains\[\d+\]\./, "Invalid ") });
        }
      }
      bar.increment(chunk.length);
    }
  } finally {
    bar.stop();
  }
  return report(summary, problems, notes, values.json ?? false);
}

function report(summary: Record<string, number | boolean>, problems: ImportProblem[], notes: ImportProblem[], json: boolean): number {
  const byLine = (a: ImportProblem, b: ImportProblem) => a.line - b.line;
  if (json) process.stdout.write(JSON.stringify({ ...summary, problems: problems.sort(byLine), skipped: notes }) + "\n");
  else {
    for (const p of [...problems, ...notes].sort(byLine)) process.stdout.write(`line ${p.line}: ${p.error}\n`);
    process.stdout.write(`${Object.entries(summary).map(([k, v]) => `${k.replace(/_/g, " ")}: ${String(v)}`).join(", ")}\n`);
  }
  return problems.length ? 1 : 0;
}

const EXPORT_COLUMNS = ["id", "hostname", "port", "status", "is_active", "ssl_grade", "ssl_days_remaining", "whois_days_remaining", "tags", "notes", "created_at"] as const;
/** Domains whose notes (not in the list's items) are fetched at once. */
const DETAIL_REQUESTS_IN_FLIGHT = 8;

async function exportDomains(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { format: { type: "string", default: "csv" }, out: { type: "string" }, key: { type: "string" }, url: { type: "string" } } });
  if (values.format !== "csv" && values.format !== "json") throw new UsageError("--format is csv or json");
  const api = apiFrom(values);
  const domains: Record<string, unknown>[] = [];
  for (let page = 1; ; page++) {
    const res = await api.request("GET", `/domains?per_page=100&page=${page}&sort=hostname&order=asc`);
    if (res.status !== 200) throw new ApiError(`GET /domains answered ${res.status}: ${errorOf(res.body)}`);
    const body = res.body as { data: Record<string, unknown>[]; pagination: { total_pages: number } };
    domains.push(...body.data);
    if (page >= body.pagination.total_pages) break;
  }
  // Notes are a field of the domain, not of the list: an export imports again with them.
  await eachLimited(domains, DETAIL_REQUESTS_IN_FLIGHT, async (d) => {
    const res = await api.request("GET", `/domains/${String(d["id"])}`);
    if (res.status !== 200) throw new ApiError(`GET /domains/${String(d["id"])} answered ${res.status}: ${errorOf(res.body)}`);
    d["notes"] = (res.body as { notes: string | null }).notes;
  });
  const text =
    values.format === "json"
      ? JSON.stringify(domains, null, 2) + "\n"
      : stringify(
          domains.map((d) => EXPORT_COLUMNS.map((c) => (c === "tags" ? joinTags(d["tags"] as string[]) : d[c]))),
          { ...SPREADSHEET_SAFE, header: true, columns: [...EXPORT_COLUMNS], cast: { ...SPREADSHEET_SAFE.cast, boolean: (b) => String(b) } },
        );
  if (values.out) await writeFile(values.out, text);
  else process.stdout.write(text);
  return 0;
}

/** Runs a sub-command; usage mistakes print the usage and exit 2. */
async function guarded(command: (args: string[]) => Promise<number>, args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    return await command(args);
  } catch (err) {
    // The API refused or cannot be reached, or a file cannot be read or written: one line.
    const fileError = err instanceof Error && "code" in err && "path" in err;
    if (err instanceof ApiError || fileError) {
      process.stderr.write(`ssltrackr domains: ${err.message}\n`);
      return 1;
    }
    const usage = err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"));
    if (!usage) throw err;
    process.stderr.write(`ssltrackr domains: ${err.message}\n${USAGE}\n`);
    return 2;
  }
}

export const runImport = (args: string[]) => guarded(importDomains, args);
export const runExport = (args: string[]) => guarded(exportDomains, args);
/** `ssltrackr domains` alone, or with an unknown sub-command. */
export const runUsage = (args: string[]) =>
  guarded(() => {
    throw new UsageError(args[0] ? `unknown sub-command "${args[0]}"` : "import or export?");
  }, args);
