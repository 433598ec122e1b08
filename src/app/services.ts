// Wires the concepts' command services, queries and the projection runner onto the
// infrastructure. Shared by the HTTP server and the CLI.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { allProjections } from "../../projections/index.js";
import { AccountCommands } from "../accounts/accountCommands.js";
import { ApiKeyQueries, usableKeyHashes } from "../accounts/apiKeyQueries.js";
import { VerifiedKeyCache } from "../accounts/verifiedKeyCache.js";
import { KeyUsageTracker } from "../accounts/keyUsageTracker.js";
import { DomainCommands } from "../domains/domainCommands.js";
import { DomainQueries } from "../domains/domainQueries.js";
import { DomainHistory } from "../domains/domainHistory.js";
import { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import type { Logger } from "../infrastructure/logging/logger.js";
import { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import type { Config } from "../config.js";
import { AlertSettingsQueries } from "../monitoring/alertSettingsQueries.js";
import { CheckClaims } from "../monitoring/checkClaims.js";
import { CheckRunner } from "../monitoring/checkRunner.js";
import { checkersFromConfig, type Checkers } from "../monitoring/checkers.js";
import { CheckQueries } from "../monitoring/checkQueries.js";
import { AlertQueries } from "../monitoring/alertQueries.js";
import { BackgroundTasks } from "../shared/backgroundTasks.js";
import { createWebhooks } from "../webhooks/webhookModule.js";
import type { Infrastructure } from "./infrastructure.js";

/** A check that has not finished after this long is presumed dead and may run again. */
const CHECK_LEASE_MS = 5 * 60_000;

export interface ServiceOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Elect one projecting process per projection (servers); off for one-shot CLI runs. */
  readonly leaderElection: boolean;
  readonly config: Config;
  /** Replaces the real checkers (benchmarks of the API alone). */
  readonly checkers?: Checkers;
}

export function createServices(infra: Infrastructure, options: ServiceOptions) {
  const handler = new CommandHandler(infra.eventStore, infra.snapshots);
  const usage = new KeyUsageTracker(infra.knex);
  const projections = new ProjectionRunner(infra.knex, infra.eventStore, allProjections, {
    ...(options.leaderElection ? { leaderSession: infra.leaderSession } : {}),
    onError: (projection, err) => options.logger.error("projection failed; retrying", { projection, err }),
  });
  // Serves authentication from memory once started (servers); CLI commands never start it.
  const verifiedKeys = new VerifiedKeyCache(infra.databaseUrl, (hashes, now) => usableKeyHashes(infra.knex, hashes, now), options.clock);
  const alertSettings = new AlertSettingsQueries(infra.knex);
  const claims = new CheckClaims(infra.knex, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, CHECK_LEASE_MS);
  const checks = new CheckRunner(
    handler,
    options.checkers ?? checkersFromConfig(options.config, options.clock),
    claims,
    alertSettings,
    options.clock,
  );
  return {
    handler,
    projections,
    usage,
    verifiedKeys,
    checks,
    claims,
    alertSettings,
    checkQueries: new CheckQueries(infra.knex, options.clock),
    history: new DomainHistory(infra.eventStore),
    alertQueries: new AlertQueries(infra.knex),
    background: new BackgroundTasks((err) => options.logger.error("background task failed", { err })),
    accounts: new AccountCommands(handler, infra.eventStore, options.clock),
    apiKeys: new ApiKeyQueries(infra.knex, usage, verifiedKeys),
    domains: new DomainCommands(handler, options.clock),
    domainQueries: new DomainQueries(infra.knex, options.clock),
    webhooks: createWebhooks(handler, infra.knex, options),
  };
}

export type Services = ReturnType<typeof createServices>;
