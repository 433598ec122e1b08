// What a domain's stream remembers about its checks: just enough to decide alerts without
// reading its whole history (the state is snapshotted). Plain JSON, so snapshots are cheap.
import type { Grade } from "../checkers/ssl/result.js";

export interface SslMonitoringState {
  /** Leaf fingerprints seen recently (newest last): a load balancer serving two certificates is not a change. */
  readonly knownFingerprints: readonly string[];
  readonly lastGrade: Grade | null;
  /** The configuration grade (trust issues ignored) of the last check: what grade_dropped measures against. */
  readonly gradeBaseline: Grade | null;
  readonly invalidAlerted: boolean;
  readonly consecutiveFailures: number;
  readonly failureAlerted: boolean;
}

export interface WhoisMonitoringState {
  readonly consecutiveFailures: number;
  readonly failureAlerted: boolean;
  /** The registration the last successful check found: a later not_found means it lapsed. */
  readonly registration: { readonly domain: string; readonly expiryDate: string | null } | null;
}

export interface MonitoringState {
  readonly ssl: SslMonitoringState;
  readonly whois: WhoisMonitoringState;
  /** Dedupe keys of alerts already raised (bounded: the newest are kept). */
  readonly raised: readonly string[];
  /** Ids of the latest checks recorded (bounded): a check job that runs again records nothing. */
  readonly recentChecks: readonly string[];
}

export const initialMonitoringState = (): MonitoringState => ({
  ssl: {
    knownFingerprints: [],
    lastGrade: null,
    gradeBaseline: null,
    invalidAlerted: false,
    consecutiveFailures: 0,
    failureAlerted: false,
  },
  whois: { consecutiveFailures: 0, failureAlerted: false, registration: null },
  raised: [],
  recentChecks: [],
});

export const MAX_KNOWN_FINGERPRINTS = 8;
export const MAX_REMEMBERED_ALERTS = 200;
/** Far more than the checks of one domain that can be queued or running at once. */
export const MAX_RECENT_CHECKS = 16;
