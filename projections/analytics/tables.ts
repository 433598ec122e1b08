// The analytics projection's tables, schema-qualified (docs/analytics.md describes each).
export const ANALYTICS = {
  domains: "analytics.domains",
  certificateChecks: "analytics.certificate_checks",
  certificateRenewals: "analytics.certificate_renewals",
  domainStatusCurrent: "analytics.domain_status_current",
  dailyStatusCursor: "analytics.daily_status_cursor",
  dailyDomainStatus: "analytics.daily_domain_status",
  alerts: "analytics.alerts",
  registrations: "analytics.registrations",
} as const;
