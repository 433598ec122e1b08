// Certificate changes worth an alert (issue #14; docs/alerts.md). With 6-day and 47-day
// certificates a domain serves a new one every few days: a routine renewal (same names, same
// issuer organisation, same key type) is recorded with its check but does not alert by
// default. What does: another issuer, fewer names, a weaker key, a certificate issued before
// the one it replaces; and, less urgent, names added or another key type. Each kind is a
// per-user setting (certificate_changes). Pure.
import type { EndpointOk, KeyFacts } from "../checkers/ssl/result.js";
import { dnAttribute } from "../checkers/ssl/distinguishedName.js";
import type { AlertDraft } from "./alertDraft.js";
import type { CertificateChangeSettings } from "./alertSettings.js";

/** What the policy remembers of a served leaf to compare its successor with. */
export interface LeafFacts {
  readonly fingerprint: string;
  readonly issuer: string;
  /** The issuer's O, which stays when a CA rotates its intermediates (R10 -> R11); null without one. */
  readonly issuerOrganization: string | null;
  /** Subject alternative names, lower-case, sorted. */
  readonly names: readonly string[];
  readonly key: KeyFacts;
  readonly validFrom: string;
}

export const leafFactsOf = (e: EndpointOk): LeafFacts => ({
  fingerprint: e.fingerprint_sha256,
  issuer: e.issuer,
  issuerOrganization: dnAttribute(e.issuer, "O"),
  names: [...new Set(e.sans.map((n) => n.toLowerCase()))].sort(),
  key: e.key,
  validFrom: e.valid_from,
});

export const CHANGE_KINDS = ["issuer_changed", "names_removed", "names_added", "key_weakened", "key_type_changed", "moved_backwards"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
/** The kinds that make a change unexpected (warning); the others are informational. */
const UNEXPECTED: ReadonlySet<ChangeKind> = new Set(["issuer_changed", "names_removed", "key_weakened", "moved_backwards"]);

/**
 * Security strength of a key in bits, as NIST SP 800-57 Part 1 Table 2 compares them:
 * RSA/DSA 1024 = 80, 2048 = 112, 3072 = 128, 7680 = 192; EC keys half their field size.
 */
export function keyStrength(key: KeyFacts): number {
  if (key.type === "EC") return Math.floor(key.bits / 2);
  if (key.type === "Ed25519") return 128;
  if (key.type === "Ed448") return 224;
  const steps: [number, number][] = [[15360, 256], [7680, 192], [3072, 128], [2048, 112], [1024, 80]];
  return steps.find(([bits]) => key.bits >= bits)?.[1] ?? 0;
}

const issuerName = (l: LeafFacts) => l.issuerOrganization ?? l.issuer;
const keyName = (k: KeyFacts) => `${k.type} ${k.bits}`;

/** How `next` differs from the certificate it replaces, as `[kind, words]`. Empty: a routine renewal. */
export function certificateChanges(previous: LeafFacts, next: LeafFacts): [ChangeKind, string][] {
  const changes: [ChangeKind, string][] = [];
  if (issuerName(previous) !== issuerName(next)) changes.push(["issuer_changed", `issued by ${issuerName(next)} instead of ${issuerName(previous)}`]);
  const removed = previous.names.filter((n) => !next.names.includes(n));
  const added = next.names.filter((n) => !previous.names.includes(n));
  if (removed.length > 0) changes.push(["names_removed", `no longer covers ${removed.join(", ")}`]);
  if (added.length > 0) changes.push(["names_added", `now also covers ${added.join(", ")}`]);
  if (keyStrength(next.key) < keyStrength(previous.key)) changes.push(["key_weakened", `its key is weaker (${keyName(next.key)} instead of ${keyName(previous.key)})`]);
  if (next.key.type !== previous.key.type) changes.push(["key_type_changed", `its key type changed (${next.key.type} instead of ${previous.key.type})`]);
  if (Date.parse(next.validFrom) < Date.parse(previous.validFrom)) {
    changes.push(["moved_backwards", `it was issued on ${next.validFrom.slice(0, 10)}, before the certificate it replaces (${previous.validFrom.slice(0, 10)})`]);
  }
  return changes;
}

/** The known leaf `next` most likely replaces: the one sharing most names, the newest of equals. */
export function predecessorOf(known: readonly LeafFacts[], next: LeafFacts): LeafFacts | undefined {
  let best: LeafFacts | undefined;
  let bestShared = -1;
  for (const leaf of known) {
    const shared = leaf.names.filter((n) => next.names.includes(n)).length;
    if (shared >= bestShared) [best, bestShared] = [leaf, shared];
  }
  return best;
}

/**
 * The certificate_changed alert for a newly served leaf, if its changes (or, for a routine
 * renewal, `routine_renewal`) are enabled. Warning when an unexpected kind is among them.
 */
export function certificateChangeAlert(hostname: string, previous: LeafFacts, served: EndpointOk, settings: CertificateChangeSettings): AlertDraft[] {
  const all = certificateChanges(previous, leafFactsOf(served));
  const changes = all.filter(([kind]) => settings[kind]);
  const routine = all.length === 0;
  if (changes.length === 0 && !(routine && settings.routine_renewal)) return [];
  const unexpected = changes.some(([kind]) => UNEXPECTED.has(kind));
  const what = changes.length > 0 ? `: ${changes.map(([, words]) => words).join("; ")}` : " (a routine renewal: same names, issuer and key type)";
  return [
    {
      alertType: "certificate_changed",
      severity: unexpected ? "warning" : "info",
      title: routine ? "SSL certificate renewed" : unexpected ? "SSL certificate changed unexpectedly" : "SSL certificate changed",
      message: `${hostname} now serves a new SSL certificate issued by ${served.issuer}, valid until ${served.valid_to.slice(0, 10)}${what}.`,
      thresholdDays: null,
      dedupeKey: `certificate_changed:${served.fingerprint_sha256}`,
    },
  ];
}
