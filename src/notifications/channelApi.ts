// /notification-channels in the OpenAPI document (issue #15; docs/notifications.md): the
// routes' request schemas and what ChannelQueries answers. Every endpoint is an addition.
import { z } from "zod";
import { entityId, instant, messageBody } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { paginated, uuidParam } from "../infrastructure/http/schemas.js";
import { alertSeverity, alertType } from "../monitoring/checkEvents.js";
import { deliveryProgressFields } from "../webhooks/webhookApi.js";
import { channelTypes } from "./channelTypes.js";
import { createChannelBody, listChannelDeliveriesQuery, listChannelsQuery, updateChannelBody } from "./channelRoutes.js";

export const channel = named(
  "NotificationChannel",
  z.object({
    id: entityId(),
    type: z.enum(channelTypes),
    name: z.string(),
    config: described(z.record(z.string(), z.unknown()), "The type's settings without its secrets."),
    secrets_set: described(z.array(z.string()), "Which secret fields are set (their values are never returned)."),
    routing: z.object({ alert_types: z.array(alertType), min_severity: alertSeverity, tags: z.array(z.string()) }),
    template: z.object({ title: z.string().optional(), body: z.string().optional() }).nullable(),
    is_active: z.boolean(),
    created_at: instant(),
    updated_at: instant(),
  }),
);

const createdChannel = named(
  "CreatedNotificationChannel",
  channel.extend({ signing_secret: described(z.string().optional(), "`webhook` channels only: the signing secret (`whsec_...`), shown this once.") }),
);

export const channelDelivery = named(
  "NotificationDelivery",
  z.object({
    id: entityId(),
    channel_id: entityId(),
    event: described(z.enum(["alert.raised", "alert.resolved", "alert.acknowledged", "digest"]), "`digest`: an e-mail digest (PUT /digest-settings), alert_id null."),
    alert_id: entityId().nullable(),
    test: z.boolean(),
    status: listChannelDeliveriesQuery.shape.status.unwrap(),
    ...deliveryProgressFields,
    last_status_code: described(z.number().int().nullable(), "HTTP status of the last attempt; null for e-mail and for failures before an answer."),
  }),
);

export type ChannelItem = z.output<typeof channel>;
export type ChannelDeliveryItem = z.output<typeof channelDelivery>;

const tags = ["Notification channels"];
const byId = { params: uuidParam("Notification channel") };

export const channelOperations: readonly ApiOperation[] = [
  {
    id: "createNotificationChannel",
    method: "post",
    path: "/notification-channels",
    summary: "Create a notification channel",
    description:
      "Types: email, slack, teams, discord, telegram, pagerduty, opsgenie, ntfy, webhook; each type's `config` is in docs/notifications.md. Hosts must resolve to public addresses (SSRF rules as for webhooks). Secrets are sealed at rest and never returned.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { body: createChannelBody },
    responses: { 201: { description: "The channel (a `webhook` channel with its signing secret).", schema: createdChannel } },
    errors: [503],
  },
  {
    id: "listNotificationChannels",
    method: "get",
    path: "/notification-channels",
    summary: "List notification channels",
    description: "Newest first.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { query: listChannelsQuery },
    responses: { 200: { description: "One page of channels.", schema: named("NotificationChannelList", paginated(channel)) } },
  },
  {
    id: "getNotificationChannel",
    method: "get",
    path: "/notification-channels/{id}",
    summary: "Get a notification channel",
    tags,
    auth: "bearer",
    origin: "addition",
    request: byId,
    responses: { 200: { description: "The channel (never its secrets).", schema: channel } },
    errors: [404],
  },
  {
    id: "updateNotificationChannel",
    method: "put",
    path: "/notification-channels/{id}",
    summary: "Update a notification channel",
    description: "Changes the fields sent; `config` fields are merged (secret fields left out keep their value); `is_active: false` pauses it.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { ...byId, body: updateChannelBody },
    responses: { 200: { description: "The channel after the change.", schema: channel } },
    errors: [404, 503],
  },
  {
    id: "deleteNotificationChannel",
    method: "delete",
    path: "/notification-channels/{id}",
    summary: "Delete a notification channel",
    description: "Its pending deliveries are cancelled.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: byId,
    responses: { 200: { description: "`Notification channel deleted`.", schema: messageBody } },
    errors: [404, 503],
  },
  {
    id: "testNotificationChannel",
    method: "post",
    path: "/notification-channels/{id}/test",
    summary: "Send a test notification now",
    description: "One try, never retried; the answer is 200 whatever the provider did, and the delivery says what it did.",
    tags,
    auth: "bearer",
    origin: "addition",
    rateLimit: { limit: 10, windowSeconds: 60 },
    request: byId,
    responses: { 200: { description: "The test delivery (`test: true`).", schema: channelDelivery } },
    errors: [404],
  },
  {
    id: "listNotificationChannelDeliveries",
    method: "get",
    path: "/notification-channels/{id}/deliveries",
    summary: "List a channel's deliveries",
    description: "The delivery log: newest first, optionally of one status.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { ...byId, query: listChannelDeliveriesQuery },
    responses: { 200: { description: "One page of deliveries.", schema: named("NotificationDeliveryList", paginated(channelDelivery)) } },
    errors: [404],
  },
];
