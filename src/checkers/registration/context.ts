// What the RDAP and WHOIS lookups share within one check.
import type { ParsedAnswer } from "./combine.js";
import type { RegistrationRecord } from "./record.js";
import type { RegistryState } from "./registryState.js";
import type { RawAnswer, SupplementaryError } from "./result.js";

/**
 * SSRF guard for servers named by an answer (a registrar's RDAP link or WHOIS referral):
 * the same rules as SSL checks and webhooks (src/infrastructure/network/targets.ts).
 * Registry servers come from the operator's tables and are not guarded.
 */
export interface ReferralGuard {
  allowPrivate: boolean;
  resolveOverrides?: ReadonlyMap<string, readonly string[]>;
}

export interface LookupContext {
  state: RegistryState;
  fetch: typeof fetch;
  timeoutMs: number;
  maxResponseBytes: number;
  guard: ReferralGuard;
}

export interface LookupOutcome {
  /** the registry's answer first, then the registrar's when it was asked and answered */
  answers: ParsedAnswer[];
  /** the registry server asked first */
  server: string;
  raw: RawAnswer[];
  /** the registrar's server failed; the registry's answer stands */
  errors: SupplementaryError[];
}

/** Registry answers that leave these out are completed from the registrar's answer. */
export function lacksData(record: RegistrationRecord): boolean {
  return record.registrar === null || record.registryExpiry === null || record.created === null || record.nameservers.length === 0;
}
