// GET /reports/expiring (issue #15, 3): the user's expiry report as JSON, or as CSV for
// `Accept: text/csv`, for people who build their own overviews and digests.
import { Router } from "express";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { intParam } from "../infrastructure/http/schemas.js";
import { parseQuery } from "../infrastructure/http/validation.js";
import { NotAcceptableError } from "../shared/errors.js";
import { DEFAULT_WITHIN_DAYS, MAX_WITHIN_DAYS, reportRecords } from "./expiringReport.js";
import type { ReportQueries } from "./reportQueries.js";
import { SPREADSHEET_SAFE } from "../shared/spreadsheetCsv.js";

export const expiringReportQuery = z.strictObject({
  within_days: intParam(0, MAX_WITHIN_DAYS, DEFAULT_WITHIN_DAYS),
});

/** The media types the report comes in; the first is the default (no Accept, or *\/*). */
export const REPORT_MEDIA_TYPES = ["application/json", "text/csv"] as const;

export function reportRoutes(reports: ReportQueries): Router {
  const router = Router();

  router.get("/reports/expiring", async (req, res) => {
    const q = parseQuery(expiringReportQuery, req.query);
    const type = req.accepts([...REPORT_MEDIA_TYPES]);
    if (!type) throw new NotAcceptableError(`The report is available as ${REPORT_MEDIA_TYPES.join(" or ")}`);
    const report = await reports.expiring(actorOf(res).userId, q.within_days);
    if (type === "text/csv") {
      res.type("text/csv; charset=utf-8").setHeader("Content-Disposition", `attachment; filename="expiring-${q.within_days}d.csv"`);
      res.send(stringify(reportRecords(report), SPREADSHEET_SAFE));
      return;
    }
    res.json(report);
  });

  return router;
}
