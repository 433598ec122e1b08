// Alerts in the OpenAPI document: GET /alerts and the caller's thresholds.
import { z } from "zod";
import { entityId, instant } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { paginated } from "../infrastructure/http/schemas.js";
import { alertStates } from "../../projections/alerts.js";
import { uuidParam } from "../infrastructure/http/schemas.js";
import { alertSettingsBody, listAlertsQuery } from "./alertRoutes.js";
import { alertSettingsSchema } from "./alertSettings.js";
import { alertSeverity, alertType } from "./checkEvents.js";

named("AlertType", alertType);
named("AlertSeverity", alertSeverity);
const alertSettings = named("AlertSettings", alertSettingsSchema, "Thresholds in whole days (distinct, 0-365, at most 10 each).");

export const alert = named(
  "Alert",
  z.object({
    id: entityId(),
    domain_id: entityId(),
    hostname: z.string(),
    alert_type: alertType,
    severity: alertSeverity,
    title: z.string(),
    message: z.string(),
    threshold_days: described(z.number().int().nullable(), "The threshold crossed, for expiry alerts."),
    triggered_at: instant(),
    state: described(
      named("AlertState", z.enum(alertStates)),
      "open until acknowledged (POST /alerts/{id}/acknowledge) or resolved; resolved when a later check found the condition cleared (a renewal, a recovered check, a fixed chain, a recovered grade). Addition (issue #15).",
    ),
    acknowledged_at: described(instant().nullable(), "When the alert was acknowledged; null if it was not. Addition."),
    resolved_at: described(instant().nullable(), "When a check found the condition cleared; null while open. Addition."),
  }),
);

export type AlertListItem = z.output<typeof alert>;

const tags = ["Alerts"];

export const alertOperations: readonly ApiOperation[] = [
  {
    id: "listAlerts",
    method: "get",
    path: "/alerts",
    summary: "List alerts",
    description: "The caller's alerts, newest first. `state` narrows to open, acknowledged or resolved alerts (default: all).",
    tags,
    auth: "bearer",
    origin: "spec",
    request: { query: listAlertsQuery },
    responses: { 200: { description: "One page of alerts.", schema: named("AlertList", paginated(alert)) } },
  },
  {
    id: "acknowledgeAlert",
    method: "post",
    path: "/alerts/{id}/acknowledge",
    summary: "Acknowledge an alert",
    description:
      "Marks an open alert as seen; it stays listed until its condition clears. Idempotent: acknowledging an acknowledged alert changes nothing. A resolved alert is a 409.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { params: uuidParam("Alert") },
    responses: { 200: { description: "The alert, acknowledged.", schema: alert } },
    errors: [404, 409, 503],
  },
  {
    id: "getAlertSettings",
    method: "get",
    path: "/alert-settings",
    summary: "The caller's alert thresholds",
    tags,
    auth: "bearer",
    origin: "addition",
    responses: { 200: { description: "The thresholds (the defaults until changed).", schema: alertSettings } },
  },
  {
    id: "updateAlertSettings",
    method: "put",
    path: "/alert-settings",
    summary: "Change the caller's alert thresholds",
    description: "Partial: omitted fields keep their value.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { body: alertSettingsBody },
    responses: { 200: { description: "The thresholds after the change.", schema: alertSettings } },
    errors: [503],
  },
];
