// The result of one registration (RDAP/WHOIS) check. It is stored verbatim in WhoisChecked /
// WhoisCheckFailed events and validated when read back, hence a zod schema with the type
// derived from it. Field names are snake_case like the API (GET /domains/{id}/whois).
import { z } from "zod";

export const FAILURE_REASONS = [
  "invalid_hostname",
  "unsupported_tld",
  "not_found",
  "rate_limited",
  "timeout",
  "connection_error",
  "server_error",
  "parse_error",
  // a registrar link or referral that resolves to a loopback/private address (SSRF guard)
  "private_address",
] as const;
export const failureReason = z.enum(FAILURE_REASONS);
export type FailureReason = z.infer<typeof failureReason>;

const isoDate = z.iso.datetime();

/** One answer as received, for audit: capped at maxResponseBytes. */
export const rawAnswer = z.object({
  source: z.enum(["rdap", "whois"]),
  server: z.string(),
  /** "registry" or "registrar" (the referral followed for a thin registry) */
  role: z.enum(["registry", "registrar"]),
  body: z.string(),
  truncated: z.boolean(),
});
export type RawAnswer = z.infer<typeof rawAnswer>;

/** Which answer a fact came from: RDAP or WHOIS, the registry's or the registrar's server. */
export const answerOrigin = z.enum(["rdap_registry", "rdap_registrar", "whois_registry", "whois_registrar"]);
export type AnswerOrigin = z.infer<typeof answerOrigin>;

/** Per result field, the answer that gave it; null when no answer had it. */
export const fieldSources = z.object({
  registrar: answerOrigin.nullable(),
  created_date: answerOrigin.nullable(),
  expiry_date: answerOrigin.nullable(),
  registry_expiry_date: answerOrigin.nullable(),
  registrar_expiry_date: answerOrigin.nullable(),
  nameservers: answerOrigin.nullable(),
  dnssec: answerOrigin.nullable(),
});
export type FieldSources = z.infer<typeof fieldSources>;

/**
 * A lookup that would only have added to the registry's answer (the registrar's RDAP or
 * WHOIS server, WHOIS asked for the expiry RDAP lacked) and failed. The check kept the rest.
 */
export const supplementaryError = z.object({
  origin: answerOrigin,
  /** URL (RDAP) or host:port (WHOIS); null when no server was found */
  server: z.string().nullable(),
  reason: failureReason,
  message: z.string(),
});
export type SupplementaryError = z.infer<typeof supplementaryError>;

const common = {
  /** the monitored hostname, lower case, punycode */
  hostname: z.string(),
  /** registrable domain (public suffix + one label), punycode */
  domain: z.string(),
  checked_at: isoDate,
  raw: z.array(rawAnswer),
  /** why RDAP was not used, when WHOIS was asked after an RDAP attempt */
  rdap_error: z.object({ reason: failureReason, message: z.string() }).nullable(),
};

export const registrationCheckOk = z.object({
  outcome: z.literal("ok"),
  ...common,
  registrar: z.string().nullable(),
  created_date: isoDate.nullable(),
  /** the later of registry_expiry_date and registrar_expiry_date */
  expiry_date: isoDate.nullable(),
  /** whole days from checked_at to expiry_date, negative once expired */
  days_remaining: z.number().int().nullable(),
  /** null when the answer does not say */
  dnssec: z.boolean().nullable(),
  nameservers: z.array(z.string()),
  source: z.enum(["rdap", "whois"]),
  /** the registry server that answered (RDAP base URL or WHOIS host) */
  server: z.string(),
  statuses: z.array(z.string()),
  registry_expiry_date: isoDate.nullable(),
  registrar_expiry_date: isoDate.nullable(),
  // Added later: checks recorded before have neither (null / []).
  /** which answer gave each field (RDAP or WHOIS, registry or registrar) */
  field_sources: fieldSources.nullable().default(null),
  /** registrar or WHOIS-fallback lookups that failed without failing the check */
  supplementary_errors: z.array(supplementaryError).default([]),
});

export const registrationCheckFailed = z.object({
  outcome: z.literal("failed"),
  ...common,
  reason: failureReason,
  message: z.string(),
  source: z.enum(["rdap", "whois"]).nullable(),
  server: z.string().nullable(),
  /** for rate_limited: when the server may be asked again */
  retry_after_seconds: z.number().int().nonnegative().nullable(),
});

export const registrationCheckResult = z.discriminatedUnion("outcome", [registrationCheckOk, registrationCheckFailed]);

export type RegistrationCheckOk = z.infer<typeof registrationCheckOk>;
export type RegistrationCheckFailed = z.infer<typeof registrationCheckFailed>;
export type RegistrationCheckResult = z.infer<typeof registrationCheckResult>;
