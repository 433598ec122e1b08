// Assembles the webhooks concept from configuration: commands and queries for the API, and
// the delivery worker the server runs.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Knex } from "knex";
import type { Config } from "../config.js";
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import type { Logger } from "../infrastructure/logging/logger.js";
import type { Clock } from "../shared/clock.js";
import { DeliveryQueue } from "./deliveryQueue.js";
import { DeliveryWorker } from "./deliveryWorker.js";
import { WebhookCommands } from "./webhookCommands.js";
import { WebhookQueries } from "./webhookQueries.js";
import type { WebhookTargetPolicy } from "./webhookUrl.js";

export function createWebhooks(handler: CommandHandler, knex: Knex, options: { clock: Clock; logger: Logger; config: Config }) {
  const { clock, config } = options;
  const policy: WebhookTargetPolicy = {
    allowPrivate: config.SSLTRACKR_ALLOW_PRIVATE_TARGETS,
    ...(config.SSLTRACKR_RESOLVE ? { resolveOverrides: config.SSLTRACKR_RESOLVE } : {}),
    timeoutMs: config.SSLTRACKR_WEBHOOK_TIMEOUT_MS,
  };
  return {
    commands: new WebhookCommands(handler, clock, policy),
    queries: new WebhookQueries(knex),
    worker: new DeliveryWorker(new DeliveryQueue(knex), clock, options.logger.child({ component: "webhooks" }), {
      owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      policy,
      timeoutMs: config.SSLTRACKR_WEBHOOK_TIMEOUT_MS,
      retryDelaysMs: config.SSLTRACKR_WEBHOOK_RETRY_SCHEDULE,
      pollIntervalMs: config.SSLTRACKR_WEBHOOK_POLL_MS,
    }),
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
