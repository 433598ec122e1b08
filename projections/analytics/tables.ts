// The analytics projection's tables (docs/analytics.md describes each). They live in schema
// "analytics"; handlers name them unqualified and the projection runner's search_path picks
// the live tables, or their shadow copies during a rebuild.
export const ANALYTICS_SCHEMA = "analytics";

export const ANALYTICS = {
  domains: "domains",
  certificateChecks: "certificate_checks",
  certificateRenewals: "certificate_renewals",
  domainStatusCurrent: "domain_status_current",
  dailyStatusCursor: "daily_status_cursor",
  dailyDomainStatus: "daily_domain_status",
  alerts: "alerts",
  registrations: "registrations",
} as const;
