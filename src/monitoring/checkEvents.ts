// What monitoring records on a domain's stream: every check result (a failed check is a
// fact worth keeping) and every alert raised from them. Check results are stored verbatim as
// the checkers return them, validated by the checkers' schemas when read back. Those schemas
// are therefore part of the event contract: add new result fields as optional, or bump the
// event's version with an upcaster; never change what an existing field means.
import { z } from "zod";
import { sslCheckFailedSchema, sslCheckOkSchema, upcastSslCheckOkV1, upcastSslCheckOkV2 } from "../checkers/ssl/result.js";
import { registrationCheckFailed, registrationCheckOk } from "../checkers/registration/result.js";
import { renewalInfoSchema } from "../checkers/ari/result.js";
import { defineEvent } from "../infrastructure/eventStore/eventCodec.js";

/**
 * What caused a check: a schedule tick, POST /check, the domain being added, or the domain
 * moved to another hostname or port (`domain_moved`, added with issue #10; earlier events
 * never carry it, so their meaning is unchanged).
 */
export const checkTrigger = z.enum(["scheduled", "manual", "domain_added", "domain_moved"]);
export type CheckTrigger = z.infer<typeof checkTrigger>;

const checkEnvelope = { checkId: z.uuid(), domainId: z.uuid(), trigger: checkTrigger };

/**
 * v2 (issue #10): results carry served_certificates, chain_issues and certification_path; v1 has them null.
 * v3 (issue #14): results carry the revocation facts (revocation, revocation_source, revocation_reason, revoked_at); v2 has them null.
 */
export const SslChecked = defineEvent({
  type: "SslChecked",
  version: 3,
  upcasters: {
    1: (v1) => ({ ...v1, result: upcastSslCheckOkV1(v1["result"] as Record<string, unknown>) }),
    2: (v2) => ({ ...v2, result: upcastSslCheckOkV2(v2["result"] as Record<string, unknown>) }),
  },
  schema: z.object({ ...checkEnvelope, result: sslCheckOkSchema }),
});

export const SslCheckFailed = defineEvent({
  type: "SslCheckFailed",
  version: 1,
  schema: z.object({ ...checkEnvelope, result: sslCheckFailedSchema }),
});

export const WhoisChecked = defineEvent({
  type: "WhoisChecked",
  version: 1,
  schema: z.object({ ...checkEnvelope, result: registrationCheckOk }),
});

export const WhoisCheckFailed = defineEvent({
  type: "WhoisCheckFailed",
  version: 1,
  schema: z.object({ ...checkEnvelope, result: registrationCheckFailed }),
});

/**
 * The CA's renewal information for the served leaf (ACME ARI, RFC 9773), looked up with the SSL
 * check `checkId` when its cache had run out (issue #14). Its own event, beside SslChecked.
 */
export const RenewalInfoFetched = defineEvent({
  type: "RenewalInfoFetched",
  version: 1,
  schema: z.object({ checkId: z.uuid(), domainId: z.uuid(), info: renewalInfoSchema }),
});

export const alertTypes = [
  "ssl_expiry",
  "domain_expiry",
  "ssl_invalid",
  "check_failed",
  "certificate_changed",
  "grade_dropped",
  "ssl_revoked",
  "renewal_overdue",
  "renewal_requested",
] as const;
export const alertType = z.enum(alertTypes);
export type AlertType = z.infer<typeof alertType>;

export const alertSeverity = z.enum(["info", "warning", "critical"]);
export type AlertSeverity = z.infer<typeof alertSeverity>;

/**
 * v2 added `passedOverKeys`: a check that crosses several expiry thresholds at once raises
 * one alert, for the tightest, and records the looser ones here as handled. v1 alerts were
 * raised one per threshold, so they passed nothing over: they are read with `[]`.
 */
export const AlertRaised = defineEvent({
  type: "AlertRaised",
  version: 2,
  upcasters: { 1: (v1) => ({ ...v1, passedOverKeys: [] }) },
  schema: z.object({
    alertId: z.uuid(),
    domainId: z.uuid(),
    userId: z.uuid(),
    hostname: z.string(),
    alertType,
    severity: alertSeverity,
    title: z.string(),
    message: z.string(),
    thresholdDays: z.number().int().nullable(),
    triggeredAt: z.iso.datetime(),
    /** The check that raised it. */
    checkId: z.uuid(),
    /** What the alert is about, so one fact alerts once (e.g. "ssl_expiry:<fingerprint>:<valid_to>:14"). */
    dedupeKey: z.string(),
    /** Dedupe keys of looser thresholds crossed by the same check, handled by this alert (never raised later). */
    passedOverKeys: z.array(z.string()),
  }),
});

/**
 * Why an alert ended (alertResolution.ts has the rules). Added later, so older events never
 * carry them: "replaced" and "registration_changed" (an expiry that did not move later).
 */
export const resolveReasons = ["renewed", "registration_renewed", "check_recovered", "chain_fixed", "grade_recovered", "replaced", "registration_changed"] as const;
export type ResolveReason = (typeof resolveReasons)[number];

/**
 * An open alert's condition cleared (issue #15): the check `checkId` found the certificate or
 * registration renewed, the check recovered, the chain fixed or the grade back. Decided by the
 * alert policy with the check's result, on the same stream, so it follows its AlertRaised.
 */
export const AlertResolved = defineEvent({
  type: "AlertResolved",
  version: 1,
  schema: z.object({
    alertId: z.uuid(),
    domainId: z.uuid(),
    userId: z.uuid(),
    hostname: z.string(),
    alertType,
    dedupeKey: z.string(),
    reason: z.enum(resolveReasons),
    checkId: z.uuid(),
    resolvedAt: z.iso.datetime(),
  }),
});

/** Someone has seen the alert (POST /alerts/{id}/acknowledge); it stays until resolved. */
export const AlertAcknowledged = defineEvent({
  type: "AlertAcknowledged",
  version: 1,
  schema: z.object({
    alertId: z.uuid(),
    domainId: z.uuid(),
    userId: z.uuid(),
    hostname: z.string(),
    alertType,
    acknowledgedAt: z.iso.datetime(),
  }),
});

export const monitoringEventDefinitions = [
  SslChecked,
  SslCheckFailed,
  WhoisChecked,
  WhoisCheckFailed,
  AlertRaised,
  AlertResolved,
  AlertAcknowledged,
  RenewalInfoFetched,
] as const;
