// What a domain's stream remembers about its checks: just enough to decide alerts without
// reading its whole history (the state is snapshotted). Plain JSON, so snapshots are cheap.
import type { Grade } from "../checkers/ssl/result.js";
import type { LeafFacts } from "./certificateChanges.js";
import type { RenewalRecord } from "./renewalAlerts.js";
import type { OpenAlert } from "./alertResolution.js";

export interface SslMonitoringState {
  /** Leaf fingerprints seen recently (newest last): a load balancer serving two certificates is not a change. */
  readonly knownFingerprints: readonly string[];
  readonly lastGrade: Grade | null;
  /** The configuration grade (trust issues ignored) of the last check: what grade_dropped measures against. */
  readonly gradeBaseline: Grade | null;
  readonly invalidAlerted: boolean;
  readonly consecutiveFailures: number;
  readonly failureAlerted: boolean;
  /** Facts of the leaves in knownFingerprints (newest last): what a new leaf is compared with. */
  readonly leaves: readonly LeafFacts[];
  /** ARI look-ups per certificate (newest last): the cache and the CA's last window. */
  readonly renewals: readonly RenewalRecord[];
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
  /** Alerts raised and not resolved (bounded: the newest are kept): what a later check may resolve. */
  readonly openAlerts: readonly OpenAlert[];
}

export const initialMonitoringState = (): MonitoringState => ({
  ssl: {
    knownFingerprints: [],
    lastGrade: null,
    gradeBaseline: null,
    invalidAlerted: false,
    consecutiveFailures: 0,
    failureAlerted: false,
    leaves: [],
    renewals: [],
  },
  whois: { consecutiveFailures: 0, failureAlerted: false, registration: null },
  raised: [],
  recentChecks: [],
  openAlerts: [],
});

export const MAX_KNOWN_FINGERPRINTS = 8;
/** A domain serves one or two leaves at a time; a few more cover a load balancer mid-rollout. */
export const MAX_RENEWAL_RECORDS = 4;
export const MAX_REMEMBERED_ALERTS = 200;
/** Open alerts remembered; only certificate_changed stays open for long (until acknowledged or forever). */
export const MAX_OPEN_ALERTS = 100;
/** Far more than the checks of one domain that can be queued or running at once. */
export const MAX_RECENT_CHECKS = 16;
