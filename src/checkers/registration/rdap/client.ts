// One RDAP domain query (RFC 9082): GET <base>domain/<name>, with a timeout and a size cap.
// HTTP statuses map to failure reasons; a 404 is the registry saying "no such domain".
import { LookupFailure, networkFailure } from "../failure.js";

export interface RdapAnswer {
  url: string;
  json: unknown;
  body: string;
}

export interface RdapQueryOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxResponseBytes: number;
}

export function rdapDomainUrl(base: string, domain: string): string {
  return `${base.endsWith("/") ? base : `${base}/`}domain/${encodeURIComponent(domain)}`;
}

/** Reads at most `max` bytes of the body; the rest is cancelled, not downloaded. */
async function readCapped(res: Response, max: number): Promise<{ body: string; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  if (res.body) {
    for await (const chunk of res.body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > max) {
        truncated = true;
        break;
      }
    }
  }
  const bytes = Buffer.concat(chunks).subarray(0, max);
  return { body: bytes.toString("utf8"), truncated };
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date). */
function retryAfterSeconds(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - now) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : null;
}

function failureFor(status: number, url: string, retryAfter: number | null): LookupFailure {
  if (status === 404) return new LookupFailure("not_found", `RDAP ${url}: 404 (no such domain)`);
  if (status === 429) return new LookupFailure("rate_limited", `RDAP ${url}: 429 (rate limited)`, retryAfter);
  return new LookupFailure("server_error", `RDAP ${url}: HTTP ${status}`);
}

export async function queryRdap(url: string, options: RdapQueryOptions): Promise<RdapAnswer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const res = await options.fetch(url, { headers: { accept: "application/rdap+json, application/json" }, signal });
    if (!res.ok) {
      await res.body?.cancel();
      throw failureFor(res.status, url, retryAfterSeconds(res.headers.get("retry-after"), Date.now()));
    }
    const { body, truncated } = await readCapped(res, options.maxResponseBytes);
    if (truncated) throw new LookupFailure("parse_error", `RDAP ${url}: answer larger than ${options.maxResponseBytes} bytes`);
    try {
      return { url, json: JSON.parse(body) as unknown, body };
    } catch {
      throw new LookupFailure("parse_error", `RDAP ${url}: answer is not JSON`);
    }
  } catch (err) {
    throw networkFailure(err, `RDAP ${url}`);
  }
}
