// The digest settings in the OpenAPI document.
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { named } from "../infrastructure/http/openapi/jsonSchema.js";
import { digestSettingsBody } from "./digestRoutes.js";
import { digestSettingsSchema } from "./digestSettings.js";

const digestSettings = named(
  "DigestSettings",
  digestSettingsSchema,
  "The e-mail digest: daily, or weekly on `weekday` (ISO 8601, 1 = Monday), at `hour` of the time zone of the alert settings. " +
    "It lists what expires within `within_days` whole days (certificates and registrations, soonest first), grade drops, failing checks " +
    "and the other unresolved alerts, and is sent through `channel_id`, one of the caller's `email` notification channels.",
);
const tags = ["Reports"];

export const digestOperations: readonly ApiOperation[] = [
  {
    id: "getDigestSettings",
    method: "get",
    path: "/digest-settings",
    summary: "The caller's e-mail digest settings",
    tags,
    auth: "bearer",
    origin: "addition",
    responses: { 200: { description: "The settings (disabled until changed).", schema: digestSettings } },
  },
  {
    id: "updateDigestSettings",
    method: "put",
    path: "/digest-settings",
    summary: "Change the caller's e-mail digest settings",
    description:
      "Partial: omitted fields keep their value. 400 when `channel_id` is not one of the caller's notification channels, is not of " +
      "type `email`, or is null while `enabled`. One digest per period (local day, or ISO week) at most, sent from `hour` on; a digest " +
      "with nothing to report is sent only with `send_when_empty`.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { body: digestSettingsBody },
    responses: { 200: { description: "The settings after the change.", schema: digestSettings } },
    errors: [400, 503],
  },
];
