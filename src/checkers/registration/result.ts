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
