// Asks a CA for a certificate's renewal window (RFC 9773): reads the ACME directory's
// `renewalInfo` URL (§3), then GETs <renewalInfo>/<certificate id> (§4.1) for its
// suggestedWindow and explanationURL (§4.2). Every connection passes the SSRF guard and goes
// only to the approved addresses (a directory URL is configuration, but its renewalInfo URL
// is the CA's choice), through the per-address politeness gate when there is one. Never
// throws: a CA that fails yields a failed RenewalInfo, cached like any other answer.
import { z } from "zod";
import type { ConnectionGate } from "../ssl/connection.js";
import { pinnedFetch } from "../../infrastructure/network/pinnedFetch.js";
import { resolveTarget } from "../../infrastructure/network/targets.js";
import type { RenewalInfo } from "./result.js";
import { isoInstant } from "../../shared/instant.js";

export interface AriFetchOptions {
  readonly allowPrivateTargets: boolean;
  readonly resolveOverrides?: ReadonlyMap<string, readonly string[]>;
  readonly timeoutMs: number;
  readonly now: Date;
  readonly gate?: ConnectionGate;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** RFC 9773 §4.3 (error handling): after a long-term error, such as no Retry-After, poll again as if told 6 hours. */
export const DEFAULT_RETRY_MS = 6 * 3_600_000;
/** Directories rarely change; one per process per day is plenty. */
const DIRECTORY_TTL_MS = DAY_MS;
/** A renewalInfo object is a few hundred bytes; refuse to read more than this. */
const MAX_BODY_BYTES = 64 * 1024;

const directoryBody = z.object({ renewalInfo: z.url({ protocol: /^https?$/ }).optional() });
const renewalInfoBody = z.object({
  suggestedWindow: z.object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) }),
  explanationURL: z.url().optional(),
});

class AriError extends Error {}

/**
 * The wait a Retry-After header asks for, clamped to [1 minute, 1 day] as RFC 9773 §4.3
 * recommends; null when absent or unreadable. Seconds or an HTTP-date (RFC 9110 §10.2.3).
 */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now.getTime();
  if (Number.isNaN(ms)) return null;
  return Math.min(DAY_MS, Math.max(MINUTE_MS, ms));
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new AriError(`answer larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function guardedGet(url: string, options: AriFetchOptions): Promise<{ status: number; headers: Headers; body: string }> {
  const parsed = new URL(url);
  if ((parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.username || parsed.password) {
    throw new AriError(`not an http(s) URL without credentials: ${url}`);
  }
  const addresses = await resolveTarget(parsed.hostname, {
    allowPrivate: options.allowPrivateTargets,
    ...(options.resolveOverrides ? { resolveOverrides: options.resolveOverrides } : {}),
    timeoutMs: options.timeoutMs,
  });
  const release = options.gate ? await options.gate.acquire(addresses[0]!) : () => undefined;
  try {
    const response = await pinnedFetch(addresses)(parsed, { signal: AbortSignal.timeout(options.timeoutMs), headers: { accept: "application/json" } });
    return { status: response.status, headers: response.headers, body: await readCapped(response) };
  } finally {
    release();
  }
}

const directories = new Map<string, { renewalInfo: string | null; until: number }>();

async function renewalInfoUrl(directoryUrl: string, options: AriFetchOptions): Promise<string> {
  const cached = directories.get(directoryUrl);
  if (cached && cached.until > options.now.getTime()) {
    if (!cached.renewalInfo) throw new AriError(`the ACME directory ${directoryUrl} offers no renewalInfo`);
    return cached.renewalInfo;
  }
  const answer = await guardedGet(directoryUrl, options);
  if (answer.status !== 200) throw new AriError(`ACME directory ${directoryUrl}: HTTP ${answer.status}`);
  const parsed = directoryBody.safeParse(safeJson(answer.body));
  if (!parsed.success) throw new AriError(`ACME directory ${directoryUrl}: not an ACME directory`);
  const renewalInfo = parsed.data.renewalInfo ?? null;
  directories.set(directoryUrl, { renewalInfo, until: options.now.getTime() + DIRECTORY_TTL_MS });
  if (!renewalInfo) throw new AriError(`the ACME directory ${directoryUrl} offers no renewalInfo`);
  return renewalInfo;
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export interface AriRequest {
  readonly certificateId: string;
  readonly fingerprint: string;
  readonly directoryUrl: string;
}

/** The CA's renewal information for one certificate, or the reason it could not be had. */
export async function fetchRenewalInfo(request: AriRequest, options: AriFetchOptions): Promise<RenewalInfo> {
  const base = {
    certificate_id: request.certificateId,
    fingerprint_sha256: request.fingerprint,
    directory_url: request.directoryUrl,
    fetched_at: options.now.toISOString(),
  };
  const failed = (message: string, waitMs = DEFAULT_RETRY_MS): RenewalInfo => ({
    ...base,
    outcome: "failed",
    renewal_window: null,
    explanation_url: null,
    message,
    next_fetch_at: new Date(options.now.getTime() + waitMs).toISOString(),
  });
  try {
    const endpoint = await renewalInfoUrl(request.directoryUrl, options);
    const url = `${endpoint.replace(/\/$/, "")}/${request.certificateId}`;
    const answer = await guardedGet(url, options);
    const wait = retryAfterMs(answer.headers.get("retry-after"), options.now);
    if (answer.status !== 200) return failed(`renewalInfo ${url}: HTTP ${answer.status}`, wait ?? DEFAULT_RETRY_MS);
    const parsed = renewalInfoBody.safeParse(safeJson(answer.body));
    if (!parsed.success) return failed(`renewalInfo ${url}: not a RenewalInfo object`);
    const start = new Date(parsed.data.suggestedWindow.start);
    const end = new Date(parsed.data.suggestedWindow.end);
    // RFC 9773 §4.2: a window whose end is not after its start is invalid, as if no answer came.
    if (end <= start) return failed(`renewalInfo ${url}: the window ends before it starts`);
    return {
      ...base,
      outcome: "ok",
      renewal_window: { start: isoInstant(start), end: isoInstant(end) },
      explanation_url: parsed.data.explanationURL ?? null,
      message: null,
      next_fetch_at: new Date(options.now.getTime() + (wait ?? DEFAULT_RETRY_MS)).toISOString(),
    };
  } catch (err) {
    return failed(err instanceof Error ? err.message : String(err));
  }
}
