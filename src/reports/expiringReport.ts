// The expiry report (issue #15, 3): everything of a user's that expires within N days
// (certificates and registrations), soonest first, and the checks that are failing. The same
// report backs GET /reports/expiring (JSON or CSV) and the e-mail digest. Pure: rows in, report
// out; the query is in reportQueries.ts.
import { z } from "zod";
import { entityId, instant } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import { gradeSchema } from "../checkers/ssl/result.js";
import { daysUntil } from "../shared/clock.js";
import { joinTags } from "../shared/spreadsheetCsv.js";

/** Largest `within_days`: a year ahead, like the alert thresholds (0-365). */
export const MAX_WITHIN_DAYS = 365;
export const DEFAULT_WITHIN_DAYS = 30;

const domainFields = {
  domain_id: entityId(),
  hostname: z.string(),
  port: z.number().int(),
  tags: z.array(z.string()),
};

export const expiringItem = named(
  "ExpiringItem",
  z.object({
    ...domainFields,
    what: described(z.enum(["certificate", "registration"]), "The TLS certificate served on hostname:port, or the domain's registration."),
    expires_at: instant(),
    days_remaining: described(
      z.number().int(),
      "Whole days until expires_at, rounded down: negative once expired. A lapsed registration has ended whatever date it was due: at most -1.",
    ),
    lapsed: described(z.boolean(), "Registration only: the registry no longer has it (it lapsed or was deleted) although a previous check found it."),
    subject: described(z.string().nullable(), "Certificate only: the certificate that expires first, which can be an intermediate of the served chain."),
    issuer: described(z.string().nullable(), "Certificate only: the leaf certificate's issuer."),
    registrar: described(z.string().nullable(), "Registration only: the sponsoring registrar."),
    grade: described(gradeSchema.nullable(), "Certificate only: the SSL Labs-style grade of the last full probe."),
  }),
);
export type ExpiringItem = z.output<typeof expiringItem>;

export const failingCheck = named(
  "FailingCheck",
  z.object({
    ...domainFields,
    check: z.enum(["ssl", "whois"]),
    checked_at: described(instant(), "When the latest (failed) check ran."),
    reason: z.string(),
    message: z.string(),
  }),
);
export type FailingCheck = z.output<typeof failingCheck>;

export const expiringReport = named(
  "ExpiringReport",
  z.object({
    generated_at: instant(),
    within_days: z.number().int(),
    expiring: described(z.array(expiringItem), "Expiries up to generated_at + within_days (and those already past), soonest first."),
    failing_checks: described(z.array(failingCheck), "Monitored domains whose latest check of a kind failed, by hostname."),
  }),
);
export type ExpiringReport = z.output<typeof expiringReport>;

/** A monitored domain's row as reportQueries reads it: the read model plus its latest check facts. */
export interface ReportRow {
  readonly id: string;
  readonly hostname: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly ssl_grade: ExpiringItem["grade"];
  /** The earliest expiry anywhere in the served chain (the status uses it). */
  readonly ssl_earliest_expiry: Date | null;
  readonly whois_expiry: Date | null;
  readonly whois_lapsed: boolean;
  readonly ssl_check_failed: boolean | null;
  readonly whois_check_failed: boolean | null;
  readonly ssl_subject: string | null;
  readonly ssl_issuer: string | null;
  readonly registrar: string | null;
  readonly ssl_failure: { readonly reason: string; readonly message: string; readonly checked_at: Date } | null;
  readonly whois_failure: { readonly reason: string; readonly message: string; readonly checked_at: Date } | null;
}

/**
 * The report at `now` for `withinDays`. A lapsed registration is listed as expiring (at its
 * last known expiry), not as a failing check: it is the expiry itself.
 */
export function assembleReport(rows: readonly ReportRow[], now: Date, withinDays: number): ExpiringReport {
  // Within N days means N whole days remaining or fewer, as the alert thresholds count them.
  const due = (at: Date | null): at is Date => at !== null && daysUntil(at, now) <= withinDays;
  const expiring: ExpiringItem[] = [];
  const failing: FailingCheck[] = [];
  for (const r of rows) {
    const domain = { domain_id: r.id, hostname: r.hostname, port: r.port, tags: [...r.tags] };
    if (due(r.ssl_earliest_expiry)) {
      expiring.push({
        ...domain,
        what: "certificate",
        expires_at: r.ssl_earliest_expiry.toISOString(),
        days_remaining: daysUntil(r.ssl_earliest_expiry, now),
        lapsed: false,
        subject: r.ssl_subject,
        issuer: r.ssl_issuer,
        registrar: null,
        grade: r.ssl_grade,
      });
    }
    const lapsed = r.whois_lapsed && r.whois_expiry !== null;
    if (r.whois_expiry && (lapsed || due(r.whois_expiry))) {
      expiring.push({
        ...domain,
        what: "registration",
        expires_at: r.whois_expiry.toISOString(),
        days_remaining: lapsed ? Math.min(daysUntil(r.whois_expiry, now), -1) : daysUntil(r.whois_expiry, now),
        lapsed,
        subject: null,
        issuer: null,
        registrar: r.registrar,
        grade: null,
      });
    }
    if (r.ssl_check_failed && r.ssl_failure) failing.push({ ...domain, check: "ssl", ...failureFields(r.ssl_failure) });
    if (r.whois_check_failed && !lapsed && r.whois_failure) failing.push({ ...domain, check: "whois", ...failureFields(r.whois_failure) });
  }
  expiring.sort((a, b) => a.days_remaining - b.days_remaining || a.expires_at.localeCompare(b.expires_at) || a.hostname.localeCompare(b.hostname));
  failing.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.port - b.port || a.check.localeCompare(b.check));
  return { generated_at: now.toISOString(), within_days: withinDays, expiring, failing_checks: failing };
}

const failureFields = (f: NonNullable<ReportRow["ssl_failure"]>) => ({ checked_at: f.checked_at.toISOString(), reason: f.reason, message: f.message });

/** CSV columns: one row per item, `section` telling expiring from failing_check rows. */
export const REPORT_CSV_COLUMNS = [
  "section",
  "domain_id",
  "hostname",
  "port",
  "tags",
  "what",
  "expires_at",
  "days_remaining",
  "lapsed",
  "subject",
  "issuer",
  "registrar",
  "grade",
  "check",
  "checked_at",
  "reason",
  "message",
] as const;

/**
 * The report as CSV records (header first), for csv-stringify with SPREADSHEET_SAFE: numbers
 * stay numbers, tags are joined as `domains import` reads them (joinTags).
 */
export function reportRecords(report: ExpiringReport): (string | number)[][] {
  const cell = (v: unknown) => (v === null || v === undefined ? "" : Array.isArray(v) ? joinTags(v as string[]) : typeof v === "number" ? v : String(v));
  const record = (section: string, item: Record<string, unknown>) => REPORT_CSV_COLUMNS.map((c) => (c === "section" ? section : cell(item[c])));
  return [
    [...REPORT_CSV_COLUMNS],
    ...report.expiring.map((i) => record("expiring", i)),
    ...report.failing_checks.map((i) => record("failing_check", i)),
  ];
}
