// Assembles notification channels from configuration: commands and queries for the API, and
// the delivery worker (the webhook outbox's queue and worker, with the channels' transport).
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Knex } from "knex";
import { readExtraCa, type Config } from "../config.js";
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import type { Logger } from "../infrastructure/logging/logger.js";
import { SecretBox } from "../infrastructure/secrets/secretBox.js";
import type { Clock } from "../shared/clock.js";
import { AlertSettingsQueries } from "../monitoring/alertSettingsQueries.js";
import { DeliveryQueue } from "../webhooks/deliveryQueue.js";
import { DeliveryWorker } from "../webhooks/deliveryWorker.js";
import type { WebhookTargetPolicy } from "../webhooks/webhookUrl.js";
import { NOTIFICATION_CHANNELS_TABLE } from "../../projections/notificationChannels.js";
import { NOTIFICATION_DELIVERIES_TABLE } from "../../projections/notificationDeliveries.js";
import { ChannelCommands } from "./channelCommands.js";
import { ChannelQueries } from "./channelQueries.js";
import { CHANNEL_TARGET_COLUMNS, notificationTransport, type ClaimedNotification } from "./notificationTransport.js";

export function createNotifications(handler: CommandHandler, knex: Knex, options: { clock: Clock; logger: Logger; config: Config }) {
  const { clock, config } = options;
  const policy: WebhookTargetPolicy = {
    allowPrivate: config.SSLTRACKR_ALLOW_PRIVATE_TARGETS,
    ...(config.SSLTRACKR_RESOLVE ? { resolveOverrides: config.SSLTRACKR_RESOLVE } : {}),
    timeoutMs: config.SSLTRACKR_WEBHOOK_TIMEOUT_MS,
  };
  const secrets = config.SSLTRACKR_SECRETS_KEY ? new SecretBox(config.SSLTRACKR_SECRETS_KEY) : null;
  const queue = new DeliveryQueue<ClaimedNotification>(knex, {
    deliveries: NOTIFICATION_DELIVERIES_TABLE,
    targets: NOTIFICATION_CHANNELS_TABLE,
    targetColumn: "channel_id",
    targetColumns: CHANNEL_TARGET_COLUMNS,
  });
  const transport = notificationTransport({
    knex,
    clock,
    secrets,
    settings: new AlertSettingsQueries(knex),
    policy,
    timeoutMs: config.SSLTRACKR_WEBHOOK_TIMEOUT_MS,
    baseUrl: config.SSLTRACKR_PUBLIC_URL ?? null,
    extraCa: readExtraCa(config),
  });
  return {
    commands: new ChannelCommands(handler, clock, policy, secrets),
    queries: new ChannelQueries(knex),
    queue,
    worker: new DeliveryWorker(
      queue,
      clock,
      options.logger.child({ component: "notifications" }),
      {
        owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
        policy,
        timeoutMs: config.SSLTRACKR_WEBHOOK_TIMEOUT_MS,
        retryDelaysMs: config.SSLTRACKR_WEBHOOK_RETRY_SCHEDULE,
        pollIntervalMs: config.SSLTRACKR_WEBHOOK_POLL_MS,
      },
      transport,
    ),
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
