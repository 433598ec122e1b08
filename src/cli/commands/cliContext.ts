// Infrastructure and services for one-shot CLI commands; logs go to stderr so stdout stays
// clean for --json output.
import { loadConfig } from "../../config.js";
import { openInfrastructure } from "../../app/infrastructure.js";
import { createServices, type Services } from "../../app/services.js";
import { createLogger } from "../../infrastructure/logging/logger.js";
import { systemClock } from "../../shared/clock.js";
import type { Infrastructure } from "../../app/infrastructure.js";

export async function withServices<T>(work: (services: Services, infra: Infrastructure) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, {}, (l) => process.stderr.write(l + "\n"));
  const infra = await openInfrastructure(config, logger);
  try {
    return await work(createServices(infra, { clock: systemClock, logger, config, leaderElection: false }), infra);
  } finally {
    await infra.close();
  }
}

/** Keeps a long-running service (serve, worker) up until SIGINT/SIGTERM, then closes it. */
export async function runUntilSignalled(service: { close(): Promise<void> }): Promise<number> {
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await service.close();
  return 0;
}
