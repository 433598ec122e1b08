// /webhooks in the OpenAPI document (docs/webhooks.md): the routes' request schemas and what
// WebhookQueries answers.
import { z } from "zod";
import { entityId, instant, messageBody } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { paginated, uuidParam } from "../infrastructure/http/schemas.js";
import { alertType } from "../monitoring/checkEvents.js";
import { ALERT_RAISED } from "./payload.js";
import { createWebhookBody, listDeliveriesQuery, listWebhooksQuery, updateWebhookBody } from "./webhookRoutes.js";

export const webhook = named(
  "Webhook",
  z.object({
    id: entityId(),
    url: z.string(),
    alert_types: z.array(alertType),
    description: z.string().nullable(),
    is_active: z.boolean(),
    created_at: instant(),
    updated_at: instant(),
  }),
);

const createdWebhook = named(
  "CreatedWebhook",
  webhook.extend({ secret: described(z.string(), "The signing secret (`whsec_...`): shown this once.") }),
);

const attempt = z.object({
  attempt: z.number().int().min(1),
  attempted_at: instant(),
  duration_ms: z.number().min(0),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
});

/**
 * How far a delivery of the shared outbox (deliveryQueue.ts) has got: the same fields for a
 * webhook's deliveries and a notification channel's.
 */
export const deliveryProgressFields = {
  attempts: z.number().int().min(0),
  next_attempt_at: described(instant().nullable(), "When the next try is due; only while pending."),
  last_attempt_at: instant().nullable(),
  last_error: z.string().nullable(),
  delivered_at: instant().nullable(),
  created_at: instant(),
  attempt_log: z.array(attempt),
};

export const delivery = named(
  "WebhookDelivery",
  z.object({
    id: entityId(),
    webhook_id: entityId(),
    event: z.literal(ALERT_RAISED),
    alert_id: entityId().nullable(),
    test: z.boolean(),
    status: listDeliveriesQuery.shape.status.unwrap(),
    ...deliveryProgressFields,
    last_status_code: z.number().int().nullable(),
  }),
);

export type WebhookItem = z.output<typeof webhook>;

const tags = ["Webhooks"];
const byId = { params: uuidParam("Webhook") };

// The published API promises webhooks ("configure webhook alerts") without describing them:
// every endpoint here is an addition.
export const webhookOperations: readonly ApiOperation[] = [
  {
    id: "createWebhook",
    method: "post",
    path: "/webhooks",
    summary: "Create a webhook",
    tags,
    auth: "bearer",
    origin: "addition",
    description: "The URL's host must resolve to public addresses only (SSRF rules in docs/webhooks.md).",
    request: { body: createWebhookBody },
    responses: { 201: { description: "The webhook, with its signing secret.", schema: createdWebhook } },
    errors: [503],
  },
  {
    id: "listWebhooks",
    method: "get",
    path: "/webhooks",
    summary: "List webhooks",
    tags,
    auth: "bearer",
    origin: "addition",
    description: "Newest first.",
    request: { query: listWebhooksQuery },
    responses: { 200: { description: "One page of webhooks.", schema: named("WebhookList", paginated(webhook)) } },
  },
  {
    id: "getWebhook",
    method: "get",
    path: "/webhooks/{id}",
    summary: "Get a webhook",
    tags,
    auth: "bearer",
    origin: "addition",
    request: byId,
    responses: { 200: { description: "The webhook (never its secret).", schema: webhook } },
    errors: [404],
  },
  {
    id: "updateWebhook",
    method: "put",
    path: "/webhooks/{id}",
    summary: "Update a webhook",
    tags,
    auth: "bearer",
    origin: "addition",
    description: "Changes the fields sent; `is_active: false` pauses it.",
    request: { ...byId, body: updateWebhookBody },
    responses: { 200: { description: "The webhook after the change.", schema: webhook } },
    errors: [404, 503],
  },
  {
    id: "deleteWebhook",
    method: "delete",
    path: "/webhooks/{id}",
    summary: "Delete a webhook",
    tags,
    auth: "bearer",
    origin: "addition",
    description: "Its pending deliveries are cancelled.",
    request: byId,
    responses: { 200: { description: "`Webhook deleted`.", schema: messageBody } },
    errors: [404, 503],
  },
  {
    id: "testWebhook",
    method: "post",
    path: "/webhooks/{id}/test",
    summary: "Send a test alert now",
    tags,
    auth: "bearer",
    origin: "addition",
    description: "One try, never retried; the answer is 200 whatever the receiver did, and the delivery says what it did.",
    rateLimit: { limit: 10, windowSeconds: 60 },
    request: byId,
    responses: { 200: { description: "The test delivery (`test: true`).", schema: delivery } },
    errors: [404],
  },
  {
    id: "listWebhookDeliveries",
    method: "get",
    path: "/webhooks/{id}/deliveries",
    summary: "List a webhook's deliveries",
    tags,
    auth: "bearer",
    origin: "addition",
    description: "Newest first, optionally of one status.",
    request: { ...byId, query: listDeliveriesQuery },
    responses: { 200: { description: "One page of deliveries.", schema: named("WebhookDeliveryList", paginated(delivery)) } },
    errors: [404],
  },
];
