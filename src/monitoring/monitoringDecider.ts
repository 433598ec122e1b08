// Recording a check result on a domain's stream: the result itself, and the alerts the
// policy derives from it, appended together so an alert never exists without its check.
import type { SslCheckResult } from "../checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../checkers/registration/result.js";
import { NotFoundError } from "../shared/errors.js";
import type { EventOf } from "../infrastructure/eventStore/eventCodec.js";
import type { DomainState } from "../domains/domainDecider.js";
import { sslAlerts, whoisAlerts, type AlertContext } from "./alertPolicy.js";
import type { AlertSettings } from "./alertSettings.js";
import type { CheckTrigger, monitoringEventDefinitions } from "./checkEvents.js";
import { initialMonitoringState, MAX_KNOWN_FINGERPRINTS, MAX_RECENT_CHECKS, MAX_REMEMBERED_ALERTS, type MonitoringState } from "./monitoringState.js";

export type MonitoringEvent = EventOf<(typeof monitoringEventDefinitions)[number]>;

interface RecordCheck {
  readonly checkId: string;
  readonly trigger: CheckTrigger;
  readonly settings: AlertSettings;
  readonly now: Date;
}

export type MonitoringCommand =
  | (RecordCheck & { readonly type: "RecordSslCheck"; readonly result: SslCheckResult })
  | (RecordCheck & { readonly type: "RecordWhoisCheck"; readonly result: RegistrationCheckResult });

export const monitoringCommandTypes: ReadonlySet<string> = new Set(["RecordSslCheck", "RecordWhoisCheck"]);

/**
 * Whether a result is about the domain's current target: the SSL check of its hostname:port,
 * the registration of its hostname. A check that was running when the domain moved to another
 * target reports on a host the domain no longer monitors (checkers echo the canonical name).
 */
const isForCurrentTarget = (command: MonitoringCommand, domain: { hostname: string; port: number }): boolean =>
  command.result.hostname === domain.hostname && (command.type !== "RecordSslCheck" || command.result.port === domain.port);

export function decideMonitoring(command: MonitoringCommand, domain: DomainState, state: MonitoringState): MonitoringEvent[] {
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
  switch (command.type) {
    case "RecordSslCheck": {
      const r = command.result;
      const recorded: MonitoringEvent =
        r.outcome === "ok" ? { type: "SslChecked", data: { ...envelope, result: r } } : { type: "SslCheckFailed", data: { ...envelope, result: r } };
      return [recorded, ...alerts(sslAlerts(state, r, ctx))];
    }
    case "RecordWhoisCheck": {
      const r = command.result;
      const recorded: MonitoringEvent =
        r.outcome === "ok" ? { type: "WhoisChecked", data: { ...envelope, result: r } } : { type: "WhoisCheckFailed", data: { ...envelope, result: r } };
      return [recorded, ...alerts(whoisAlerts(state, r, ctx))];
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
  };
}

export function evolveMonitoring(state: MonitoringState, event: MonitoringEvent): MonitoringState {
  const next = evolveFacts(state, event);
  return event.type === "AlertRaised" ? next : { ...next, recentChecks: remember(state.recentChecks, [event.data.checkId], MAX_RECENT_CHECKS) };
}

function evolveFacts(state: MonitoringState, event: MonitoringEvent): MonitoringState {
  switch (event.type) {
    case "SslChecked": {
      const r = event.data.result;
      const served = r.endpoints.flatMap((e) => (e.outcome === "ok" ? [e.fingerprint_sha256] : []));
      return {
        ...state,
        ssl: {
          ...state.ssl,
          knownFingerprints: remember(state.ssl.knownFingerprints, served, MAX_KNOWN_FINGERPRINTS),
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
    case "WhoisChecked": {
      const { domain, expiry_date: expiryDate } = event.data.result;
      return { ...state, whois: { consecutiveFailures: 0, failureAlerted: false, registration: { domain, expiryDate } } };
    }
    case "WhoisCheckFailed":
      if (event.data.result.reason === "rate_limited") return state;
      return { ...state, whois: { ...state.whois, consecutiveFailures: state.whois.consecutiveFailures + 1 } };
    case "AlertRaised": {
      const { alertType, dedupeKey, passedOverKeys } = event.data;
      const raised = remember(state.raised, [...passedOverKeys, dedupeKey], MAX_REMEMBERED_ALERTS);
      if (alertType === "ssl_invalid") return { ...state, raised, ssl: { ...state.ssl, invalidAlerted: true } };
      if (alertType === "check_failed" && dedupeKey.startsWith("check_failed:ssl"))
        return { ...state, raised, ssl: { ...state.ssl, failureAlerted: true } };
      if (alertType === "check_failed") return { ...state, raised, whois: { ...state.whois, failureAlerted: true } };
      return { ...state, raised };
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
