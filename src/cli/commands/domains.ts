// `ssltrackr domains import <file> [--dry-run] [--json]` and
// `ssltrackr domains export [--format csv|json] [--out FILE]`: a user's domains in and out,
// through the API of a running server (SSLTRACKR_API_URL, default this host's PORT) with the
// user's API key (--key or SSLTRACKR_API_KEY), so imports keep every rule of the API: tenancy,
// validation, rate limits, read-your-writes.
// Import sends POST /domains/bulk in chunks of 1,000 rows (a 429 or 503 waits and retries the
// chunk: bulk requests are safe to repeat), shows a progress bar on a terminal, and prints each
// problem by line and a summary. --dry-run validates the file with the API's own schema and
// sends nothing. Exit codes: 0 every row added or already monitored, 1 some row refused, 2 usage.
// Export reads GET /domains page by page: CSV (the list fields) or JSON (an array).
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { SingleBar, Presets } from "cli-progress";
import { stringify } from "csv-stringify/sync";
import { loadConfig } from "../../config.js";
import { BULK_MAX_ROWS } from "../../domains/bulkImport.js";
import { createDomainBody } from "../../domains/domainRoutes.js";
import { parseImportFile, type ImportProblem, type ImportRow } from "../../domains/importFile.js";
import { describeIssues } from "../../infrastructure/http/validation.js";

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
  const base = (values.url ?? config.SSLTRACKR_API_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return {
    async request(method, path, body) {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      const retryAfter = res.headers.get("retry-after");
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, retryAfter: retryAfter ? Number(retryAfter) : null };
    },
  };
}

const errorOf = (body: unknown) => (body && typeof body === "object" && "error" in body ? String(body.error) : JSON.stringify(body));

type RowResult = { index: number; status: number; error?: string };

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
  const file = parseImportFile(await readFile(positionals[0]!, "utf8"));
  const problems: ImportProblem[] = [...file.problems];
  const summary = { rows: file.rows.length, created: 0, already_monitored: 0, invalid: file.problems.length };

  if (values["dry-run"]) {
    for (const row of file.rows) {
      const parsed = createDomainBody.safeParse(row.body);
      if (!parsed.success) problems.push({ line: row.line, error: describeIssues(parsed.error) });
    }
    summary.invalid += problems.length - file.problems.length;
    return report({ ...summary, dry_run: true, valid: file.rows.length - (problems.length - file.problems.length) }, problems, values.json ?? false);
  }

  const api = apiFrom(values);
  const bar = new SingleBar({ format: "importing [{bar}] {value}/{total} rows", stream: process.stderr }, Presets.shades_classic);
  if (process.stderr.isTTY) bar.start(file.rows.length, 0);
  for (let i = 0; i < file.rows.length; i += BULK_MAX_ROWS) {
    const chunk = file.rows.slice(i, i + BULK_MAX_ROWS);
    for (const r of await sendChunk(api, chunk)) {
      const line = chunk[r.index]!.line;
      if (r.status === 201) summary.created++;
      else if (r.status === 409 && !r.error?.includes("listed twice")) summary.already_monitored++;
      else {
        summary.invalid++;
        problems.push({ line, error: r.error ?? `status ${r.status}` });
      }
    }
    bar.increment(chunk.length);
  }
  bar.stop();
  return report(summary, problems, values.json ?? false);
}

function report(summary: Record<string, number | boolean>, problems: ImportProblem[], json: boolean): number {
  problems.sort((a, b) => a.line - b.line);
  if (json) process.stdout.write(JSON.stringify({ ...summary, problems }) + "\n");
  else {
    for (const p of problems) process.stdout.write(`line ${p.line}: ${p.error}\n`);
    process.stdout.write(`${Object.entries(summary).map(([k, v]) => `${k.replace(/_/g, " ")}: ${String(v)}`).join(", ")}\n`);
  }
  return problems.length ? 1 : 0;
}

const EXPORT_COLUMNS = ["id", "hostname", "port", "status", "is_active", "ssl_grade", "ssl_days_remaining", "whois_days_remaining", "tags", "created_at"] as const;

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
  const text =
    values.format === "json"
      ? JSON.stringify(domains, null, 2) + "\n"
      : stringify(
          domains.map((d) => EXPORT_COLUMNS.map((c) => (c === "tags" ? (d["tags"] as string[]).join(";") : d[c]))),
          { header: true, columns: [...EXPORT_COLUMNS], cast: { boolean: (b) => String(b) } },
        );
  if (values.out) await writeFile(values.out, text);
  else process.stdout.write(text);
  return 0;
}

/** Runs a sub-command; usage mistakes print the usage and exit 2. */
async function guarded(command: (args: string[]) => Promise<number>, args: string[]): Promise<number> {
  try {
    return await command(args);
  } catch (err) {
    if (err instanceof ApiError) {
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
