// Alerts from the CA's renewal window (ACME ARI, RFC 9773; docs/alerts.md). Pure.
// - renewal_overdue: the window's end has passed and the same certificate is still served: the
//   CA expected a replacement by then (§4.2: clients renew within the window), none came.
// - renewal_requested: the CA moved the window earlier than it was, which is what a CA does
//   before it revokes certificates en masse (RFC 9773 §1: ARI lets a CA ask for early renewal;
//   §4.2: a window in the past means renew now), with its explanationURL.
import type { RenewalInfo, RenewalWindow } from "../checkers/ari/result.js";
import type { AlertDraft } from "./alertDraft.js";
import type { AlertSettings } from "./alertSettings.js";

/** What a domain's stream keeps per certificate looked up: the cache, and the last window the CA gave. */
export interface RenewalRecord {
  readonly certificateId: string;
  readonly fingerprint: string;
  /** Not asked again before this instant (Retry-After, RFC 9773 §4.3), whatever triggers the check. */
  readonly nextFetchAt: string;
  /** The last window the CA gave (a failed look-up keeps it). */
  readonly window: RenewalWindow | null;
  readonly explanationUrl: string | null;
}

/** The record after a look-up: a failure keeps the window the CA gave before. */
export const recordOf = (info: RenewalInfo, before: RenewalRecord | undefined): RenewalRecord => ({
  certificateId: info.certificate_id,
  fingerprint: info.fingerprint_sha256,
  nextFetchAt: info.next_fetch_at,
  window: info.renewal_window ?? before?.window ?? null,
  explanationUrl: info.outcome === "ok" ? info.explanation_url : (before?.explanationUrl ?? null),
});

const day = (iso: string) => iso.slice(0, 16).replace("T", " ") + " UTC";
const explained = (url: string | null) => (url ? ` The CA explains why at ${url}` : "");

/**
 * The renewal alerts of one successful check: `records` is what the stream knew before it,
 * `fetched` the look-up made with this check (if any), `servedFingerprint` the leaf served now.
 */
export function renewalAlerts(
  records: readonly RenewalRecord[],
  fetched: RenewalInfo | undefined,
  servedFingerprint: string,
  hostname: string,
  settings: Pick<AlertSettings, "renewal_overdue" | "renewal_requested">,
  now: Date,
): AlertDraft[] {
  const drafts: AlertDraft[] = [];
  const before = fetched ? records.find((r) => r.certificateId === fetched.certificate_id) : undefined;
  const moved = fetched?.renewal_window;
  if (settings.renewal_requested && fetched && moved && before?.window && Date.parse(moved.start) < Date.parse(before.window.start)) {
    drafts.push({
      alertType: "renewal_requested",
      severity: "warning",
      title: "The CA asks for an early renewal",
      message:
        `The CA moved the renewal window of the SSL certificate for ${hostname} earlier: renew between ${day(moved.start)} and ${day(moved.end)} ` +
        `(it was ${day(before.window.start)} to ${day(before.window.end)}).${explained(fetched.explanation_url)}`,
      thresholdDays: null,
      dedupeKey: `renewal_requested:${fetched.certificate_id}:${moved.start}`,
    });
  }
  const current = fetched?.fingerprint_sha256 === servedFingerprint ? recordOf(fetched, before) : records.find((r) => r.fingerprint === servedFingerprint);
  if (settings.renewal_overdue && current?.window && Date.parse(current.window.end) < now.getTime()) {
    drafts.push({
      alertType: "renewal_overdue",
      severity: "critical",
      title: "SSL certificate renewal is overdue",
      message:
        `The CA's renewal window for the SSL certificate of ${hostname} ended on ${day(current.window.end)}, ` +
        `and the same certificate is still served.${explained(current.explanationUrl)}`,
      thresholdDays: null,
      dedupeKey: `renewal_overdue:${current.certificateId}`,
    });
  }
  return drafts;
}
