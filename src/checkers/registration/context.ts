// What the RDAP and WHOIS lookups share within one check.
import type { RegistrationRecord } from "./record.js";
import type { RegistryState } from "./registryState.js";
import type { RawAnswer } from "./result.js";

export interface LookupContext {
  state: RegistryState;
  fetch: typeof fetch;
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface LookupOutcome {
  record: RegistrationRecord;
  /** the registry server asked first */
  server: string;
  raw: RawAnswer[];
}

/** Registry answers that leave these out are completed from the registrar's answer. */
export function lacksData(record: RegistrationRecord): boolean {
  return record.registrar === null || record.registryExpiry === null || record.created === null || record.nameservers.length === 0;
}
