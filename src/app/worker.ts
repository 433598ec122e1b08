// A process that runs checks without the HTTP API (`ssltrackr worker`): check workers, the
// scheduler (one process leads, whichever it is) and the projectors (each led by one process),
// so that workers alone keep checks flowing into the read models.
import type { Config } from "../config.js";
import { createLogger, type Logger } from "../infrastructure/logging/logger.js";
import { startTelemetry } from "../infrastructure/telemetry/telemetry.js";
import { limitHeapGrowth } from "../infrastructure/runtime/heapGrowth.js";
import { systemClock, type Clock } from "../shared/clock.js";
import type { Checkers } from "../monitoring/checkers.js";
import { openInfrastructure, type Infrastructure } from "./infrastructure.js";
import { startScheduling } from "./server.js";
import { createServices, type Services } from "./services.js";

export interface RunningWorker {
  readonly infra: Infrastructure;
  readonly services: Services;
  close(): Promise<void>;
}

export async function startWorker(config: Config, options: { clock?: Clock; logger?: Logger; checkers?: Checkers } = {}): Promise<RunningWorker> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, { service: "ssltrackr-worker" });
  limitHeapGrowth(config.SSLTRACKR_HEAP_GROWING_PERCENT);
  const telemetry = await startTelemetry(config);
  const infra = await openInfrastructure(config, logger, { queueMaintenance: true });
  const services = createServices(infra, { clock, logger, config, leaderElection: true, ...(options.checkers ? { checkers: options.checkers } : {}) });
  await services.projections.start();
  const scheduler = startScheduling(config, infra, services, { clock, logger });
  services.checkWorkers.start();
  logger.info("check workers started", { owner: services.owner, concurrency: config.SSLTRACKR_CHECK_CONCURRENCY });
  let closing: Promise<void> | undefined;
  return {
    infra,
    services,
    close: () =>
      (closing ??= (async () => {
        await scheduler?.stop();
        await services.checkWorkers.stop();
        await services.projections.stop();
        await infra.close();
        await telemetry.shutdown();
        logger.info("stopped");
      })()),
  };
}
