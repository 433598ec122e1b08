// What a parser (RDAP or WHOIS) reads out of one registry or registrar answer, before the
// orchestrator turns it into a check result.

export interface RegistrationRecord {
  registrar: string | null;
  /** ISO 8601 UTC */
  created: string | null;
  /** expiry as the registry states it (or the only expiry the answer has) */
  registryExpiry: string | null;
  /** expiry as the registrar states it; differs from the registry's around auto-renewal */
  registrarExpiry: string | null;
  /** lower case, no trailing dot, de-duplicated, in answer order */
  nameservers: string[];
  /** null: the answer does not say */
  dnssec: boolean | null;
  statuses: string[];
  /** where the registrar publishes more: a WHOIS host (thin registries) or an RDAP URL */
  referral: string | null;
}

/** The later of registry and registrar expiry: around auto-renewal one of them lags. */
export function effectiveExpiry(record: Pick<RegistrationRecord, "registryExpiry" | "registrarExpiry">): string | null {
  const dates = [record.registryExpiry, record.registrarExpiry].filter((d): d is string => d !== null);
  return dates.sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null;
}

/** Lower case, no trailing dot, no duplicates; keeps the answer's order. */
export function normaliseNameservers(names: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    const clean = name.trim().toLowerCase().replace(/\.+$/, "");
    if (clean !== "") seen.add(clean);
  }
  return [...seen];
}

// GDPR redaction placeholders that registries and registrars print instead of a value
// ("REDACTED FOR PRIVACY", "Not Disclosed", "Data Protected"...). Anchored so that a
// registrar that merely has "privacy" in its name keeps it.
const REDACTED = /\bredacted\b|^(?:not disclosed|withheld|data protected|non-public data|hidden|statutory masking|gdpr masked)/i;

/** Null for empty or redaction placeholder values ("REDACTED FOR PRIVACY"). */
export function unlessRedacted(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v && !REDACTED.test(v) ? v : null;
}
