// Recording a check result on a domain's stream: the result itself, and the alerts the
// policy derives from it, appended together so an alert never exists without its check.
import type { SslCheckResult } from "../checkers/ssl/result.js";
import type { RenewalInfo } from "../checkers/ari/result.js";
import type { RegistrationCheckResult } from "../checkers/registration/result.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import type { EventOf } from "../infrastructure/eventStore/eventCodec.js";
import type { DomainState } from "../domains/domainDecider.js";
import { sslAlerts, sslResolutions, whoisAlerts, whoisResolutions, type AlertContext } from "./alertPolicy.js";
import type { Resolution } from "./alertResolution.js";
import type { AlertSettings } from "./alertSettings.js";
import type { CheckTrigger, monitoringEventDefinitions } from "./checkEvents.js";
import { leafFactsOf } from "./certificateChanges.js";
import {
  initialMonitoringState,
  MAX_KNOWN_FINGERPRINTS,
  MAX_OPEN_ALERTS,
  MAX_RECENT_CHECKS,
  MAX_REMEMBERED_ALERTS,
  MAX_RENEWAL_RECORDS,
  type MonitoringState,
} from "./monitoringState.js";
import { recordOf } from "./renewalAlerts.js";

export type MonitoringEvent = EventOf<(typeof monitoringEventDefinitions)[number]>;

interface RecordCheck {
  readonly checkId: string;
  readonly trigger: CheckTrigger;
  readonly settings: AlertSettings;
  readonly now: Date;
}

export type MonitoringCommand =
  | (RecordCheck & {
      readonly type: "RecordSslCheck";
      readonly result: SslCheckResult;
      /** The CA's renewal information looked up with this check (ARI), when its cache had run out. */
      readonly renewalInfo?: RenewalInfo | undefined;
    })
  | (RecordCheck & { readonly type: "RecordWhoisCheck"; readonly result: RegistrationCheckResult })
  | { readonly type: "AcknowledgeAlert"; readonly alertId: string; readonly userId: string; readonly now: Date };

export const monitoringCommandTypes: ReadonlySet<string> = new Set(["RecordSslCheck", "RecordWhoisCheck", "AcknowledgeAlert"]);

export const ALERT_NOT_OPEN = "Alert is resolved: there is nothing to acknowledge";

/**
 * Acknowledging is idempotent (an acknowledged alert decides nothing); only an open alert of
 * the caller's domain can be acknowledged. The alert must be one the stream remembers as open:
 * a resolved one is a 409.
 */
function decideAcknowledge(command: Extract<MonitoringCommand, { type: "AcknowledgeAlert" }>, domain: DomainState, state: MonitoringState): MonitoringEvent[] {
  if (domain.status === "absent" || domain.userId !== command.userId) throw new NotFoundError("Alert not found");
  const open = state.openAlerts.find((a) => a.alertId === command.alertId);
  if (!open) throw new ConflictError(ALERT_NOT_OPEN);
  if (open.acknowledged) return [];
  const data = { alertId: open.alertId, domainId: domain.domainId, userId: domain.userId, hostname: domain.hostname, alertType: open.alertType };
  return [{ type: "AlertAcknowledged", data: { ...data, acknowledgedAt: command.now.toISOString() } }];
}

/**
 * Whether a result is about the domain's current target: the SSL check of its hostname:port,
 * the registration of its hostname. A check that was running when the domain moved to another
 * target reports on a host the domain no longer monitors (checkers echo the canonical name).
 */
const isForCurrentTarget = (command: Exclude<MonitoringCommand, { type: "AcknowledgeAlert" }>, domain: { hostname: string; port: number }): boolean =>
  command.result.hostname === domain.hostname && (command.type !== "RecordSslCheck" || command.result.port === domain.port);

export function decideMonitoring(command: MonitoringCommand, domain: DomainState, state: MonitoringState): MonitoringEvent[] {
  if (command.type === "AcknowledgeAlert") return decideAcknowledge(command, domain, state);
  // Results for a removed domain (a check that was running when it was deleted) are dropped.
  if (domain.status !== "monitored") throw new NotFoundError("Domain not found");
  // Results for a target the domain has since left are discarded: not its facts, no alerts.
  if (!isForCurrentTarget(command, domain)) return [];
  // Idempotent by check id: a retried check job (its worker died after recording) adds nothing.
  if (state.recentChecks.includes(command.checkId)) return [];
  const ctx: AlertContext = {
    domainId: domain.domainId,
    userId: domain.userId,
    hostname: domain.hostname,
    checkId: command.checkId,
    now: command.now,
    settings: command.settings,
  };
  const envelope = { checkId: command.checkId, domainId: domain.domainId, trigger: command.trigger };
  const alerts = (list: ReturnType<typeof sslAlerts>): MonitoringEvent[] => list.map((data) => ({ type: "AlertRaised", data }));
  // Resolutions come before the check's new alerts: a renewed certificate that is again within
  // a threshold ends the old fact's alert, then raises the new fact's.
  const resolved = (list: readonly Resolution[]): MonitoringEvent[] =>
    list.map(({ alertId, alertType, dedupeKey, reason }) => ({
      type: "AlertResolved",
      data: { alertId, alertType, dedupeKey, reason, domainId: domain.domainId, userId: domain.userId, hostname: domain.hostname, checkId: command.checkId, resolvedAt: command.now.toISOString() },
    }));
  switch (command.type) {
    case "RecordSslCheck": {
      const r = command.result;
      const recorded: MonitoringEvent =
        r.outcome === "ok" ? { type: "SslChecked", data: { ...envelope, result: r } } : { type: "SslCheckFailed", data: { ...envelope, result: r } };
      const info = r.outcome === "ok" ? command.renewalInfo : undefined;
      const fetched: MonitoringEvent[] = info ? [{ type: "RenewalInfoFetched", data: { checkId: command.checkId, domainId: domain.domainId, info } }] : [];
      return [recorded, ...fetched, ...resolved(sslResolutions(state, r)), ...alerts(sslAlerts(state, r, ctx, info))];
    }
    case "RecordWhoisCheck": {
      const r = command.result;
      const recorded: MonitoringEvent =
        r.outcome === "ok" ? { type: "WhoisChecked", data: { ...envelope, result: r } } : { type: "WhoisCheckFailed", data: { ...envelope, result: r } };
      return [recorded, ...resolved(whoisResolutions(state, r)), ...alerts(whoisAlerts(state, r, ctx))];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

const remember = <T>(list: readonly T[], items: readonly T[], max: number): T[] => {
  const merged = [...list.filter((x) => !items.includes(x)), ...items];
  return merged.slice(Math.max(0, merged.length - max));
};

/**
 * A domain moved to another hostname or port is a new target: what was learnt about the old
 * one (certificates seen, grade baseline, failure counts, alerts raised) no longer applies, so
 * every SSL alert re-arms, and on a new hostname the registration's failure count restarts.
 * Kept: `domain_expiry` keys and the last registration found, which name the registered
 * domain (and its expiry date), facts that are the same whichever of its hostnames is
 * monitored (www -> api of one domain must not announce the same registration expiry twice,
 * and a lapse is still recognised; another registered domain has other keys).
 */
export function retargetMonitoring(state: MonitoringState, moved: { readonly hostname: boolean }): MonitoringState {
  const fresh = initialMonitoringState();
  return {
    ssl: fresh.ssl,
    whois: moved.hostname ? { ...fresh.whois, registration: state.whois.registration } : state.whois,
    raised: state.raised.filter((key) => key.startsWith("domain_expiry:")),
    // Check ids stay: a check recorded before the move is still recorded.
    recentChecks: state.recentChecks,
    // Open alerts stay open: the new target's first checks resolve what they make moot.
    openAlerts: state.openAlerts,
  };
}

export function evolveMonitoring(state: MonitoringState, event: MonitoringEvent): MonitoringState {
  const next = evolveFacts(state, event);
  const isCheck = event.type !== "AlertRaised" && event.type !== "AlertResolved" && event.type !== "AlertAcknowledged";
  return isCheck ? { ...next, recentChecks: remember(state.recentChecks, [event.data.checkId], MAX_RECENT_CHECKS) } : next;
}

function evolveFacts(state: MonitoringState, event: MonitoringEvent): MonitoringState {
  switch (event.type) {
    case "SslChecked": {
      const r = event.data.result;
      const servedLeaves = r.endpoints.flatMap((e) => (e.outcome === "ok" ? [e] : []));
      const served = servedLeaves.map((e) => e.fingerprint_sha256);
      const knownFingerprints = remember(state.ssl.knownFingerprints, served, MAX_KNOWN_FINGERPRINTS);
      const newLeaves = servedLeaves.filter((e, i) => served.indexOf(e.fingerprint_sha256) === i).map(leafFactsOf);
      const leaves = [...state.ssl.leaves.filter((l) => !served.includes(l.fingerprint)), ...newLeaves].filter((l) => knownFingerprints.includes(l.fingerprint));
      return {
        ...state,
        ssl: {
          ...state.ssl,
          knownFingerprints,
          leaves,
          lastGrade: r.grade,
          gradeBaseline: r.grade_trust_ignored,
          invalidAlerted: r.chain_valid ? false : state.ssl.invalidAlerted,
          consecutiveFailures: 0,
          failureAlerted: false,
        },
      };
    }
    case "SslCheckFailed":
      return { ...state, ssl: { ...state.ssl, consecutiveFailures: state.ssl.consecutiveFailures + 1 } };
    case "RenewalInfoFetched": {
      const { info } = event.data;
      const before = state.ssl.renewals.find((r) => r.certificateId === info.certificate_id);
      const others = state.ssl.renewals.filter((r) => r.certificateId !== info.certificate_id);
      const renewals = [...others, recordOf(info, before)].slice(-MAX_RENEWAL_RECORDS);
      return { ...state, ssl: { ...state.ssl, renewals } };
    }
    case "WhoisChecked": {
      const { domain, expiry_date: expiryDate } = event.data.result;
      return { ...state, whois: { consecutiveFailures: 0, failureAlerted: false, registration: { domain, expiryDate } } };
    }
    case "WhoisCheckFailed":
      if (event.data.result.reason === "rate_limited") return state;
      return { ...state, whois: { ...state.whois, consecutiveFailures: state.whois.consecutiveFailures + 1 } };
    case "AlertResolved":
      return { ...state, openAlerts: state.openAlerts.filter((a) => a.alertId !== event.data.alertId) };
    case "AlertAcknowledged":
      return { ...state, openAlerts: state.openAlerts.map((a) => (a.alertId === event.data.alertId ? { ...a, acknowledged: true } : a)) };
    case "AlertRaised": {
      const { alertId, alertType, dedupeKey, passedOverKeys } = event.data;
      const raised = remember(state.raised, [...passedOverKeys, dedupeKey], MAX_REMEMBERED_ALERTS);
      const opened = [...state.openAlerts, { alertId, alertType, dedupeKey, acknowledged: false }];
      const next = { ...state, raised, openAlerts: opened.slice(Math.max(0, opened.length - MAX_OPEN_ALERTS)) };
      if (alertType === "ssl_invalid") return { ...next, ssl: { ...state.ssl, invalidAlerted: true } };
      if (alertType === "check_failed" && dedupeKey.startsWith("check_failed:ssl"))
        return { ...next, ssl: { ...state.ssl, failureAlerted: true } };
      if (alertType === "check_failed") return { ...next, whois: { ...state.whois, failureAlerted: true } };
      return next;
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
