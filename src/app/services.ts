// Wires the concepts' command services, queries and the projection runner onto the
// infrastructure. Shared by the HTTP server and the CLI.
import { allProjections } from "../../projections/index.js";
import { AccountCommands } from "../accounts/accountCommands.js";
import { ApiKeyQueries } from "../accounts/apiKeyQueries.js";
import { KeyUsageTracker } from "../accounts/keyUsageTracker.js";
import { DomainCommands } from "../domains/domainCommands.js";
import { DomainQueries } from "../domains/domainQueries.js";
import { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import type { Logger } from "../infrastructure/logging/logger.js";
import { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { Clock } from "../shared/clock.js";
import type { Infrastructure } from "./infrastructure.js";

export interface ServiceOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Elect one projecting process per projection (servers); off for one-shot CLI runs. */
  readonly leaderElection: boolean;
}

export function createServices(infra: Infrastructure, options: ServiceOptions) {
  const handler = new CommandHandler(infra.eventStore, infra.snapshots);
  const usage = new KeyUsageTracker(infra.knex);
  const projections = new ProjectionRunner(infra.knex, infra.eventStore, allProjections, {
    ...(options.leaderElection ? { leaderConnectionString: infra.databaseUrl } : {}),
    onError: (projection, err) => options.logger.error("projection failed; retrying", { projection, err }),
  });
  return {
    projections,
    usage,
    accounts: new AccountCommands(handler, infra.eventStore, options.clock),
    apiKeys: new ApiKeyQueries(infra.knex, usage),
    domains: new DomainCommands(handler, options.clock),
    domainQueries: new DomainQueries(infra.knex, options.clock),
  };
}

export type Services = ReturnType<typeof createServices>;
