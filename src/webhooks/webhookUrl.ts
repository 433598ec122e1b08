// Webhook URLs are user-chosen outbound targets, so they get the SSL checker's SSRF guard
// (src/infrastructure/network/targets.ts) twice: when the webhook is saved (a clear 400)
// and before every delivery attempt, because DNS may have changed since.
import { resolveTarget, type ResolveTargetOptions } from "../infrastructure/network/targets.js";

export const MAX_URL_LENGTH = 2048;

export type WebhookUrlResult = { ok: true; url: URL } | { ok: false; reason: string };

/** Syntax rules only (no I/O): absolute http(s) URL with a host and no credentials. */
export function parseWebhookUrl(raw: string): WebhookUrlResult {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "must be an absolute URL (e.g. https://example.com/hooks/ssltrackr)" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "must use http or https" };
  // Credentials in a URL end up in logs and proxies; receivers should check the signature.
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "must not contain credentials (user:password@)" };
  if (url.hostname === "") return { ok: false, reason: "must have a host" };
  return { ok: true, url };
}

/** Where a webhook may be sent: the same settings as the SSL checker's connections. */
export type WebhookTargetPolicy = Pick<ResolveTargetOptions, "allowPrivate" | "resolveOverrides" | "lookup" | "timeoutMs">;

/** The addresses to connect to for `url`; throws TargetError when the target is refused. */
export const resolveWebhookTarget = (url: URL, policy: WebhookTargetPolicy): Promise<string[]> =>
  resolveTarget(url.hostname, policy);
