// The expiry report in the OpenAPI document.
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { expiringReport } from "./expiringReport.js";
import { expiringReportQuery } from "./reportRoutes.js";

export const reportOperations: readonly ApiOperation[] = [
  {
    id: "getExpiringReport",
    method: "get",
    path: "/reports/expiring",
    summary: "What expires soon, and what is failing",
    description:
      "The caller's monitored domains (paused ones left out) whose certificate (the earliest expiry in the served chain) or " +
      "registration expires within `within_days` whole days, or has expired, soonest first; a registration the registry no " +
      "longer has (`lapsed`) is listed at its last known expiry. Then the domains whose latest SSL or WHOIS check failed. " +
      "`Accept: text/csv` gives the same as CSV: a header line, then one line per item, its `section` being `expiring` or " +
      "`failing_check`, tags joined with `;`. Any other Accept than JSON or CSV is a 406.",
    tags: ["Reports"],
    auth: "bearer",
    origin: "addition",
    request: { query: expiringReportQuery },
    responses: { 200: { description: "The report (JSON), or its CSV form.", schema: expiringReport, textMediaType: "text/csv" } },
    errors: [406],
  },
];
