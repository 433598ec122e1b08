// GET /api/v1/openapi.json: the OpenAPI 3.1 document of the whole API, built once from the
// concepts' operation descriptions (the zod schemas the routes validate with). It is served
// without authentication, like the published documentation it describes: it holds no data.
import { Router } from "express";
import { z } from "zod";
import { apiKeyOperations } from "../accounts/apiKeyApi.js";
import { sessionOperations } from "../accounts/sessionApi.js";
import { bulkDomainOperations } from "../domains/bulkApi.js";
import { domainOperations } from "../domains/domainApi.js";
import { historyOperations } from "../domains/historyApi.js";
import { API_PREFIX } from "../infrastructure/http/apiPrefix.js";
import { buildOpenApiDocument } from "../infrastructure/http/openapi/document.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { alertOperations } from "../monitoring/alertApi.js";
import { monitoringOperations } from "../monitoring/monitoringApi.js";
import { reportOperations } from "../reports/reportApi.js";
import { digestOperations } from "../reports/digestApi.js";
import { webhookOperations } from "../webhooks/webhookApi.js";
import { channelOperations } from "../notifications/channelApi.js";
import { healthOperations, metricsOperation } from "./healthApi.js";

const documentOperation: ApiOperation = {
  id: "getOpenApiDocument",
  method: "get",
  path: "/openapi.json",
  summary: "This document",
  tags: ["Meta"],
  auth: "none",
  origin: "addition",
  responses: { 200: { description: "The OpenAPI 3.1 document.", schema: z.record(z.string(), z.unknown()) } },
};

export const apiOperations: readonly ApiOperation[] = [
  ...domainOperations,
  ...bulkDomainOperations,
  ...historyOperations,
  ...monitoringOperations,
  ...alertOperations,
  ...reportOperations,
  ...digestOperations,
  ...apiKeyOperations,
  ...sessionOperations,
  ...webhookOperations,
  ...channelOperations,
  ...healthOperations,
  metricsOperation,
  documentOperation,
];

export const openApiDocument = (): Record<string, unknown> =>
  buildOpenApiDocument(apiOperations, {
    title: "SSLTrackr API",
    version: "1",
    description:
      "Certificate and domain-expiry monitoring. The published contract (../shared/spec/api-v1.md) plus SSLTrackr's " +
      "additions, marked `x-ssltrackr-addition: true` (docs/api.md, docs/webhooks.md). Unknown body fields and query " +
      "parameters are a 400. Bodies are JSON (`Content-Type: application/json`), otherwise 415. A path listed here " +
      "asked with a method it does not list answers 405 with `Allow` (OPTIONS: 204 with `Allow`). Rate-limited " +
      "operations validate the request before counting it: a 400 uses no quota.",
    server: API_PREFIX,
  });

/** Mounted at API_PREFIX, before authentication. */
export function openapiRoutes(): Router {
  const document = openApiDocument();
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  return router;
}
