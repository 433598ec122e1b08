// What monitoring records on a domain's stream: every check result (a failed check is a
// fact worth keeping) and every alert raised from them. Check results are stored verbatim as
// the checkers return them, validated by the checkers' schemas when read back. Those schemas
// are therefore part of the event contract: add new result fields as optional, or bump the
// event's version with an upcaster; never change what an existing field means.
import { z } from "zod";
import { sslCheckFailedSchema, sslCheckOkSchema, upcastSslCheckOkV1 } from "../checkers/ssl/result.js";
import { registrationCheckFailed, registrationCheckOk } from "../checkers/registration/result.js";
import { defineEvent } from "../infrastructure/eventStore/eventCodec.js";

/**
 * What caused a check: a schedule tick, POST /check, the domain being added, or the domain
 * moved to another hostname or port (`domain_moved`, added with issue #10; earlier events
 * never carry it, so their meaning is unchanged).
 */
export const checkTrigger = z.enum(["scheduled", "manual", "domain_added", "domain_moved"]);
export type CheckTrigger = z.infer<typeof checkTrigger>;

const checkEnvelope = { checkId: z.uuid(), domainId: z.uuid(), trigger: checkTrigger };

/** v2 (issue #10): results carry served_certificates, chain_issues and certification_path; v1 has them null. */
export const SslChecked = defineEvent({
  type: "SslChecked",
  version: 2,
  upcasters: { 1: (v1) => ({ ...v1, result: upcastSslCheckOkV1(v1["result"] as Record<string, unknown>) }) },
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

export const alertTypes = [
  "ssl_expiry",
  "domain_expiry",
  "ssl_invalid",
  "check_failed",
  "certificate_changed",
  "grade_dropped",
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

export const monitoringEventDefinitions = [SslChecked, SslCheckFailed, WhoisChecked, WhoisCheckFailed, AlertRaised] as const;
