// Checks in the OpenAPI document: POST /check, the latest SSL and registration check of a
// domain, and their history. Check results are described by the checkers' own schemas (the
// ones their events are validated with), named here as components.
import { z } from "zod";
import {
  certificateSchema,
  certificationPathSchema,
  chainIssueSchema,
  endpointFailedSchema,
  endpointOkSchema,
  failureReasonSchema,
  gradeSchema,
  probeKindSchema,
  sslCheckFailedSchema,
  sslCheckOkSchema,
  servedCertificateSchema,
  sslCheckResultSchema,
  tlsVersionSchema,
} from "../checkers/ssl/result.js";
import {
  answerOrigin,
  failureReason as registrationFailureReason,
  fieldSources,
  supplementaryError,
  registrationCheckFailed,
  registrationCheckOk,
  registrationCheckResult,
} from "../checkers/registration/result.js";
import { entityId, instant } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { paginated, uuidParam } from "../infrastructure/http/schemas.js";
import { checkTrigger } from "./checkEvents.js";
import { checkBody, historyQuery } from "./monitoringRoutes.js";

named("Grade", gradeSchema);
named("TlsVersion", tlsVersionSchema);
named("Certificate", certificateSchema);
named("ServedCertificate", servedCertificateSchema, "A certificate as the server sent it, and whether the verified path uses it.");
named("ChainIssue", chainIssueSchema, "A problem of the server's certificate list (SSL Labs' chain issues).");
named("CertificationPath", certificationPathSchema, "How `chain` was chosen among the paths to a trusted root.");
named("SslEndpointOk", endpointOkSchema);
named("SslEndpointFailed", endpointFailedSchema);
named("SslFailureReason", failureReasonSchema);
named("SslCheckOk", sslCheckOkSchema, "A successful SSL check: the worst graded address decides the top-level fields.");
named("SslCheckFailed", sslCheckFailedSchema, "An SSL check that could not run at all (bad name, DNS, refused target, no address answered).");
named("RegistrationFailureReason", registrationFailureReason);
named("RegistrationAnswerOrigin", answerOrigin, "Which answer a registration fact came from: RDAP or WHOIS, the registry's server or the registrar's.");
named("RegistrationFieldSources", fieldSources, "Per field, the answer that gave it; null when no answer had it. Null for checks recorded before it existed.");
named(
  "RegistrationSupplementaryError",
  supplementaryError,
  "A lookup that would only have added to the registry's answer (the registrar's RDAP or WHOIS, WHOIS for an expiry RDAP lacked) and failed; the check kept the rest.",
);
named("RegistrationCheckOk", registrationCheckOk);
named("RegistrationCheckFailed", registrationCheckFailed);

const lastFailure = described(
  z.object({ reason: z.string(), message: z.string(), checked_at: instant() }).nullable(),
  "The newest failed check after this one, if any.",
);
const ofDomain = { id: entityId(), domain_id: entityId(), last_failure: lastFailure };

named("SslProbeKind", probeKindSchema);

export const latestSslCheck = named(
  "LatestSslCheck",
  sslCheckOkSchema.omit({ outcome: true, hostname: true, port: true }).extend({
    ...ofDomain,
    probe: described(probeKindSchema, "full: protocols and suites probed and graded now; light: an expiry check (one handshake per address) showing the last full probe's grade."),
    graded_at: described(instant(), "When the grade (and protocols, suites, key exchange) was probed: the last full probe."),
    lifetime_days: described(z.number(), "The leaf's lifetime, valid_to - valid_from, in days (to 0.01): what relative expiry alerts measure (docs/alerts.md)."),
    renewal_window: described(
      named(
        "RenewalWindow",
        z.object({
          start: instant(),
          end: instant(),
          explanation_url: described(z.string().nullable(), "The CA's explanation of the window (RFC 9773 explanationURL), if any."),
          fetched_at: described(instant(), "When the CA was asked."),
        }),
        "The CA's suggested renewal window for the leaf (ACME ARI, RFC 9773 §4.2).",
      ).nullable(),
      "Null when the CA offers no renewal information for this certificate (or it was not fetched yet).",
    ),
  }),
  "The latest successful SSL check; days_remaining are recomputed as of the request.",
);

export const latestWhoisCheck = named(
  "LatestWhoisCheck",
  registrationCheckOk.omit({ outcome: true, hostname: true, raw: true, rdap_error: true }).extend(ofDomain),
  "The latest successful registration check; days_remaining is recomputed as of the request.",
);

// Each check is labelled with the target it was for: a domain moved to another hostname or
// port keeps its old checks in its history, under the old name.
const checkedHostname = described(z.string(), "The hostname this check was of (a domain may since have moved to another).");
const historyItem = <Label extends z.ZodRawShape>(label: Label, result: z.ZodType) =>
  z.object({ id: entityId(), ...label, outcome: z.enum(["ok", "failed"]), trigger: checkTrigger, checked_at: instant(), result });
export const sslCheckHistory = named(
  "SslCheckHistory",
  paginated(historyItem({ hostname: checkedHostname, port: described(z.number().int(), "The port this check was of.") }, sslCheckResultSchema)),
);
export const whoisCheckHistory = named("WhoisCheckHistory", paginated(historyItem({ hostname: checkedHostname }, registrationCheckResult)));

export type LatestSslCheck = z.output<typeof latestSslCheck>;
export type LatestWhoisCheck = z.output<typeof latestWhoisCheck>;

// POST /check answers the spec's summary of each check; one that could not run has those
// fields null and an `error` instead.
const notRun = (reason: z.ZodType) => ({ checked_at: instant(), error: z.object({ reason, message: z.string() }) });
const sslSummary = sslCheckOkSchema.pick({
  subject: true,
  issuer: true,
  valid_to: true,
  days_remaining: true,
  grade: true,
  tls_version: true,
  chain_valid: true,
  checked_at: true,
});
const sslNotRun = z.object({
  subject: z.null(),
  issuer: z.null(),
  valid_to: z.null(),
  days_remaining: z.null(),
  grade: z.null(),
  tls_version: z.null(),
  chain_valid: z.null(),
  ...notRun(failureReasonSchema),
});
const whoisSummary = registrationCheckOk.pick({ registrar: true, expiry_date: true, days_remaining: true, checked_at: true });
const whoisNotRun = z.object({ registrar: z.null(), expiry_date: z.null(), days_remaining: z.null(), ...notRun(registrationFailureReason) });

export const checkNowResult = named(
  "CheckNowResult",
  z.object({ ssl: z.union([sslSummary, sslNotRun]), whois: z.union([whoisSummary, whoisNotRun]) }),
);

const tags = ["Checks"];
const byDomain = { params: uuidParam("Domain") };

export const monitoringOperations: readonly ApiOperation[] = [
  {
    id: "checkNow",
    method: "post",
    path: "/check",
    summary: "Check a domain now",
    description:
      "Runs the SSL and registration checks now, ahead of scheduled checks, on a check worker, and waits for them: at most " +
      "max(30 s, 6 × SSLTRACKR_CHECK_TIMEOUT_MS), then a 503 (the checks stay queued). A check that could not run has the " +
      "spec's fields null and an `error`.",
    tags,
    auth: "bearer",
    origin: "spec",
    rateLimit: { limit: 10, windowSeconds: 60 },
    request: { body: checkBody },
    responses: { 200: { description: "Both results.", schema: checkNowResult } },
    errors: [404, 503],
  },
  {
    id: "getLatestSslCheck",
    method: "get",
    path: "/domains/{id}/ssl",
    summary: "The latest successful SSL check",
    description: "The spec's fields plus the checker's further facts; 404 before the first successful check.",
    tags,
    auth: "bearer",
    origin: "spec",
    request: byDomain,
    responses: { 200: { description: "The check.", schema: latestSslCheck } },
    errors: [404],
  },
  {
    id: "getLatestWhoisCheck",
    method: "get",
    path: "/domains/{id}/whois",
    summary: "The latest successful registration (WHOIS/RDAP) check",
    description: "The spec's fields plus the registry's; 404 before the first successful check.",
    tags,
    auth: "bearer",
    origin: "spec",
    request: byDomain,
    responses: { 200: { description: "The check.", schema: latestWhoisCheck } },
    errors: [404],
  },
  {
    id: "listSslChecks",
    method: "get",
    path: "/domains/{id}/ssl/history",
    summary: "Every SSL check of a domain, newest first",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { ...byDomain, query: historyQuery },
    responses: { 200: { description: "One page of checks, with their full results.", schema: sslCheckHistory } },
    errors: [404],
  },
  {
    id: "listWhoisChecks",
    method: "get",
    path: "/domains/{id}/whois/history",
    summary: "Every registration check of a domain, newest first",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { ...byDomain, query: historyQuery },
    responses: { 200: { description: "One page of checks, with their full results.", schema: whoisCheckHistory } },
    errors: [404],
  },
];
