// Where a check becomes an alert: a pure function from what the domain's stream remembers,
// one new check result and the user's thresholds, to the alerts to raise. Every alert has a
// dedupe key naming the fact it reports, so a fact alerts once however often it is checked;
// a renewed certificate or registration has new facts, so its thresholds re-arm. A check that
// crosses several expiry thresholds at once (the first check of a domain, a check after an
// outage) raises one alert, for the tightest of them; the others are recorded with it as
// handled (`passedOverKeys`), so they never fire later for the same expiry.
import { createHash } from "node:crypto";
import { GRADES, type Grade, type SslCheckResult } from "../checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../checkers/registration/result.js";
import { daysUntil } from "../shared/clock.js";
import { expirySeverity, expiryText } from "./alertMessages.js";
import type { RenewalInfo } from "../checkers/ari/result.js";
import type { AlertDraft } from "./alertDraft.js";
import type { AlertSettings } from "./alertSettings.js";
import { certificateChangeAlert, leafFactsOf, predecessorOf } from "./certificateChanges.js";
import type { MonitoringState } from "./monitoringState.js";
import { reportedAsRevoked, revokedAlerts } from "./revocationAlert.js";
import { relativeExpiryAlerts, usesRelativeExpiry, lifetimeDays } from "./relativeExpiry.js";
import { renewalAlerts } from "./renewalAlerts.js";
import { expiryFact, resolvedByRegistration, resolvedBySsl, type Resolution } from "./alertResolution.js";

export interface AlertContext {
  readonly domainId: string;
  readonly userId: string;
  readonly hostname: string;
  readonly checkId: string;
  readonly now: Date;
  readonly settings: AlertSettings;
}

/** An alert as the policy decides it: a rule's draft, stamped with ids, the domain and the time. */
export interface NewAlert extends Omit<AlertDraft, "passedOverKeys"> {
  readonly alertId: string;
  readonly domainId: string;
  readonly userId: string;
  readonly hostname: string;
  readonly triggeredAt: string;
  readonly checkId: string;
  /** Dedupe keys of looser thresholds crossed by the same check: handled by this alert. */
  readonly passedOverKeys: string[];
}

type Draft = AlertDraft;

/** Deterministic id (UUID v5 layout) so deciding twice yields the same alert. */
const alertIdFor = (checkId: string, dedupeKey: string): string => {
  const h = createHash("sha1").update(`${checkId}|${dedupeKey}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
};

const finish = (ctx: AlertContext, state: MonitoringState, drafts: Draft[]): NewAlert[] =>
  drafts
    .filter((d) => !state.raised.includes(d.dedupeKey))
    .map((d) => ({
      ...d,
      passedOverKeys: (d.passedOverKeys ?? []).filter((k) => !state.raised.includes(k)),
      alertId: alertIdFor(ctx.checkId, d.dedupeKey),
      domainId: ctx.domainId,
      userId: ctx.userId,
      hostname: ctx.hostname,
      triggeredAt: ctx.now.toISOString(),
      checkId: ctx.checkId,
    }));

/**
 * The threshold alert for one expiry instant (UTC): the tightest threshold crossed (days
 * remaining <= threshold, whole days), or "has expired" once the instant has passed, which is
 * tighter than every threshold. The looser thresholds crossed with it are passed over rather
 * than raised too: one check, one alert, whose words give the real days left. If the tightest
 * one was already raised, `finish` drops the draft: nothing new was crossed.
 */
function expiryAlerts(
  kind: "ssl_expiry" | "domain_expiry",
  factKey: string,
  name: string,
  expiresAt: string,
  thresholds: readonly number[],
  now: Date,
): Draft[] {
  const remaining = daysUntil(new Date(expiresAt), now);
  const what = kind === "ssl_expiry" ? "SSL certificate" : "Domain";
  const keyOf = (step: string) => `${expiryFact(kind, factKey, expiresAt)}:${step}`;
  // Loosest first; "expired" counts as threshold 0 for severity and the API's threshold_days.
  const crossed = [...new Set(thresholds)]
    .sort((a, b) => b - a)
    .filter((t) => remaining <= t)
    .map((t) => ({ threshold: t, key: keyOf(String(t)) }));
  if (remaining < 0) crossed.push({ threshold: 0, key: keyOf("expired") });
  const tightest = crossed.pop();
  if (!tightest) return [];
  return [
    {
      alertType: kind,
      severity: expirySeverity(tightest.threshold),
      ...expiryText(what, name, expiresAt, remaining, now),
      thresholdDays: tightest.threshold,
      dedupeKey: tightest.key,
      passedOverKeys: crossed.map((c) => c.key),
    },
  ];
}

const gradeRank = (g: Grade) => GRADES.indexOf(g);

function failureAlert(kind: "ssl" | "whois", failures: number, alreadyAlerted: boolean, ctx: AlertContext, message: string): Draft[] {
  if (alreadyAlerted || failures < ctx.settings.check_failed_after) return [];
  const what = kind === "ssl" ? "SSL" : "domain registration";
  const times = failures === 1 ? "once" : `${failures} times in a row`;
  return [
    {
      alertType: "check_failed",
      severity: "critical",
      title: kind === "ssl" ? "SSL check failing" : "Domain registration check failing",
      message: `The ${what} check for ${ctx.hostname} failed ${times}: ${message}`,
      thresholdDays: null,
      dedupeKey: `check_failed:${kind}:${ctx.checkId}`,
    },
  ];
}

/**
 * The expiry alert of the certificate that expires first: relative to its lifetime where that
 * is short (relativeExpiry.ts, issue #14), else by the user's day thresholds.
 */
function sslExpiryAlerts(result: Extract<SslCheckResult, { outcome: "ok" }>, ctx: AlertContext): Draft[] {
  const earliest = result.earliest_expiry;
  const endpoint = result.endpoints.find((e) => e.outcome === "ok" && e.ip_address === earliest.ip_address);
  const validFrom = (endpoint?.outcome === "ok" ? endpoint.chain : result.chain)[earliest.depth]?.valid_from;
  if (validFrom && usesRelativeExpiry(lifetimeDays(validFrom, earliest.valid_to), ctx.settings)) {
    const cert = { factKey: earliest.subject, hostname: ctx.hostname, validFrom, validTo: earliest.valid_to };
    return relativeExpiryAlerts(cert, ctx.settings.ssl_relative_expiry_fraction, ctx.now);
  }
  return expiryAlerts("ssl_expiry", earliest.subject, ctx.hostname, earliest.valid_to, ctx.settings.ssl_expiry_days, ctx.now);
}

/** `renewalInfo`: the CA's renewal information looked up with this check, if the cache let it (ARI). */
export function sslAlerts(state: MonitoringState, result: SslCheckResult, ctx: AlertContext, renewalInfo?: RenewalInfo): NewAlert[] {
  if (result.outcome === "failed") {
    const failures = state.ssl.consecutiveFailures + 1;
    return finish(ctx, state, failureAlert("ssl", failures, state.ssl.failureAlerted, ctx, result.message));
  }
  const drafts: Draft[] = [];
  const earliest = result.earliest_expiry;
  drafts.push(...sslExpiryAlerts(result, ctx));
  drafts.push(...revokedAlerts(result, ctx.hostname));
  // A chain invalid only because a certificate expired (the "has expired" alert above) or was
  // revoked (ssl_revoked) is reported by that alert: one fact, one alert.
  const expired = daysUntil(new Date(earliest.valid_to), ctx.now) < 0;
  const reportedElsewhere =
    result.chain_errors.length > 0 &&
    result.chain_errors.every((e) => (e.reason === "expired" && expired) || reportedAsRevoked(result, e.reason));
  if (!result.chain_valid && !state.ssl.invalidAlerted && !reportedElsewhere) {
    const reasons = result.chain_errors.map((e) => e.message).join("; ") || "the certificate chain is not trusted";
    drafts.push({
      alertType: "ssl_invalid",
      severity: "critical",
      title: "SSL certificate is not valid",
      message: `The SSL certificate for ${ctx.hostname} is not valid: ${reasons}.`,
      thresholdDays: null,
      dedupeKey: `ssl_invalid:${result.fingerprint_sha256}:${ctx.checkId}`,
    });
  }
  const known = state.ssl.knownFingerprints;
  const served = result.endpoints.flatMap((e) => (e.outcome === "ok" ? [e] : []));
  for (const endpoint of served) {
    if (known.length === 0 || known.includes(endpoint.fingerprint_sha256)) continue;
    const previous = predecessorOf(state.ssl.leaves, leafFactsOf(endpoint));
    if (previous) drafts.push(...certificateChangeAlert(ctx.hostname, previous, endpoint, ctx.settings.certificate_changes));
  }
  drafts.push(...renewalAlerts(state.ssl.renewals, renewalInfo, result.fingerprint_sha256, ctx.hostname, ctx.settings, ctx.now));
  // Measured on the configuration's grade: trust (T, M) is ssl_invalid's and ssl_expiry's to
  // report, or an expired or untrusted certificate would also alert "dropped from A to T".
  const previous = state.ssl.gradeBaseline;
  const grade = result.grade_trust_ignored;
  if (previous && gradeRank(grade) > gradeRank(previous)) {
    const reasons = result.grade_reasons.filter((r) => r.cap !== "T" && r.cap !== "M");
    drafts.push({
      alertType: "grade_dropped",
      severity: "warning",
      title: `SSL grade dropped from ${previous} to ${grade}`,
      message: `The SSL configuration of ${ctx.hostname} is now graded ${grade} (was ${previous}): ${
        reasons.map((r) => r.message).join("; ") || "see the latest check"
      }.`,
      thresholdDays: null,
      // Per certificate and grade pair: a load balancer alternating two setups alerts once.
      dedupeKey: `grade_dropped:${result.fingerprint_sha256}:${previous}:${grade}`,
    });
  }
  return finish(ctx, state, dedupeWithinCheck(drafts));
}

/**
 * The registry answers "no such domain" for a domain it had a registration for: the
 * registration lapsed (or was deleted), which is the expiry this service exists to catch. Its
 * dedupe key is the one the date-based "has expired" alert uses, so one lapse alerts once.
 */
function lapsedRegistrationAlert(registration: NonNullable<MonitoringState["whois"]["registration"]>): Draft {
  const { domain, expiryDate } = registration;
  const due = expiryDate ? ` (its registration was due to expire on ${expiryDate.slice(0, 10)})` : "";
  return {
    alertType: "domain_expiry",
    severity: expirySeverity(0),
    title: "Domain has expired",
    message: `The registry no longer has a registration for ${domain}${due}: it has lapsed or was deleted.`,
    thresholdDays: 0,
    dedupeKey: `domain_expiry:${domain}:${expiryDate ?? "unknown"}:expired`,
  };
}

export function whoisAlerts(state: MonitoringState, result: RegistrationCheckResult, ctx: AlertContext): NewAlert[] {
  if (result.outcome === "failed") {
    // A registry throttling us says nothing about the domain.
    if (result.reason === "rate_limited") return [];
    const registration = state.whois.registration;
    if (result.reason === "not_found" && registration?.domain === result.domain) {
      return finish(ctx, state, [lapsedRegistrationAlert(registration)]);
    }
    const failures = state.whois.consecutiveFailures + 1;
    return finish(ctx, state, failureAlert("whois", failures, state.whois.failureAlerted, ctx, result.message));
  }
  if (!result.expiry_date) return [];
  return finish(
    ctx,
    state,
    expiryAlerts("domain_expiry", result.domain, result.domain, result.expiry_date, ctx.settings.domain_expiry_days, ctx.now),
  );
}

const dedupeWithinCheck = (drafts: Draft[]): Draft[] => [...new Map(drafts.map((d) => [d.dedupeKey, d])).values()];

/**
 * The open alerts a check result makes moot (issue #15): a renewal, a recovered check, a
 * fixed chain, a recovered grade. The rules are alertResolution.ts's.
 */
export const sslResolutions = (state: MonitoringState, result: SslCheckResult): Resolution[] => resolvedBySsl(state.openAlerts, result);
export const whoisResolutions = (state: MonitoringState, result: RegistrationCheckResult): Resolution[] =>
  resolvedByRegistration(state.openAlerts, result);
