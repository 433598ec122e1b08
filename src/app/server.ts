// The running service: HTTP API plus projectors, with graceful shutdown (stop accepting,
// finish in-flight requests, stop projectors at a checkpoint, flush, close pools).
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Router, type Express } from "express";
import { ConfigError, type Config } from "../config.js";
import { apiKeyRoutes } from "../accounts/apiKeyRoutes.js";
import { sessionRoutes } from "../accounts/sessionRoutes.js";
import { BULK_BODY_LIMIT, bulkDomainRoutes } from "../domains/bulkRoutes.js";
import { domainRoutes } from "../domains/domainRoutes.js";
import { historyRoutes } from "../domains/historyRoutes.js";
import { healthRoutes } from "./healthRoutes.js";
import { metricsRoutes } from "./metricsRoutes.js";
import { apiOperations, openapiRoutes } from "./openapiRoutes.js";
import { startTelemetry } from "../infrastructure/telemetry/telemetry.js";
import { limitHeapGrowth } from "../infrastructure/runtime/heapGrowth.js";
import { authenticate } from "../infrastructure/http/authentication.js";
import { answerClientErrors } from "../infrastructure/http/clientErrors.js";
import { createHttpApp } from "../infrastructure/http/httpApp.js";
import { idempotency } from "../infrastructure/http/idempotency.js";
import { createLogger, type Logger } from "../infrastructure/logging/logger.js";
import { systemClock, type Clock } from "../shared/clock.js";
import type { Checkers } from "../monitoring/checkers.js";
import { monitoringRoutes } from "../monitoring/monitoringRoutes.js";
import { alertRoutes } from "../monitoring/alertRoutes.js";
import { reportRoutes } from "../reports/reportRoutes.js";
import { digestRoutes } from "../reports/digestRoutes.js";
import { CheckScheduler, schedulerSettings } from "../monitoring/scheduler/checkScheduler.js";
import { CHECK_KINDS } from "../monitoring/checkJobs.js";
import { webhookRoutes } from "../webhooks/webhookRoutes.js";
import { channelRoutes } from "../notifications/channelRoutes.js";
import { webAppRoutes } from "./webAppRoutes.js";
import { openInfrastructure, type Infrastructure } from "./infrastructure.js";
import { createServices, type Services } from "./services.js";


export interface RunningServer {
  readonly url: string;
  /** The Express application (the OpenAPI test lists its routes). */
  readonly app: Express;
  readonly infra: Infrastructure;
  readonly services: Services;
  close(): Promise<void>;
}

/**
 * How long POST /check waits for its checks (queue wait included): six check timeouts (a full
 * probe's DNS, connect, handshake, probe rounds and HTTP steps), and never less than 30 s.
 */
export const checkWaitMs = (config: Config): number => Math.max(30_000, 6 * config.SSLTRACKR_CHECK_TIMEOUT_MS);

/** The scheduler of this process, started, when SSLTRACKR_SCHEDULER is on (one process leads). */
export function startScheduling(config: Config, infra: Infrastructure, services: Services, { clock, logger }: { clock: Clock; logger: Logger }) {
  if (!config.SSLTRACKR_SCHEDULER) return undefined;
  const scheduler = new CheckScheduler(
    // The leader also queues the e-mail digests that are due (each claimed once per period).
    { knex: infra.knex, leaderSession: infra.leaderSession, queue: infra.queue, owner: services.owner, clock, logger, leaderTasks: [services.digests] },
    schedulerSettings(config),
  );
  scheduler.start();
  return scheduler;
}

export async function startServer(
  config: Config,
  options: { clock?: Clock; logger?: Logger; checkers?: Checkers } = {},
): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, { service: "ssltrackr" });
  limitHeapGrowth(config.SSLTRACKR_HEAP_GROWING_PERCENT);
  const telemetry = await startTelemetry(config);
  const infra = await openInfrastructure(config, logger, { queueMaintenance: true });
  const services = createServices(infra, {
    clock,
    logger,
    config,
    leaderElection: true,
    ...(options.checkers ? { checkers: options.checkers } : {}),
  });
  await services.projections.start();
  services.usage.start();
  await services.verifiedKeys.start();
  const scheduler = startScheduling(config, infra, services, { clock, logger });
  if (config.SSLTRACKR_WORKERS) services.checkWorkers.start();
  services.webhooks.worker.start();
  services.notifications.worker.start();

  const app = createHttpApp({
    logger,
    publicRouter: Router().use(
      healthRoutes(infra.knex, infra.eventStore, services.projections),
      metricsRoutes(
        infra.knex,
        infra.queue,
        services.projections.projections.map((p) => p.name),
        { token: config.SSLTRACKR_METRICS_TOKEN, maxDomains: config.SSLTRACKR_METRICS_MAX_DOMAINS },
        clock,
      ),
      webAppRoutes(),
    ),
    publicApiRouter: openapiRoutes(),
    authenticate: authenticate({ keys: services.apiKeys, usage: services.usage, sessions: services.sessions, clock }),
    trustProxy: config.SSLTRACKR_TRUST_PROXY,
    idempotency: idempotency(infra.knex),
    bodyLimits: BULK_BODY_LIMIT,
    operations: apiOperations,
    apiRouters: [
      domainRoutes(services.domains, services.domainQueries, services.projections, (domainId, ctx, trigger) => {
        if (!config.SSLTRACKR_CHECK_ON_CREATE || trigger === "scheduled") return;
        services.background.run(() => services.checkRequests.request(domainId, CHECK_KINDS, trigger, ctx.correlationId));
      }),
      bulkDomainRoutes(services.domains, services.domainQueries, services.projections, infra.knex, clock),
      historyRoutes(services.history),
      monitoringRoutes(services.checkRequests, checkWaitMs(config), services.checkQueries, services.domainQueries, services.projections, infra.knex, clock),
      alertRoutes(services.alertQueries, services.alertSettings, services.handler, services.projections, clock),
      reportRoutes(services.reports),
      digestRoutes(services.digestSettings, services.handler, services.projections, clock),
      apiKeyRoutes(services.accounts, services.apiKeys, services.projections, infra.knex, clock),
      sessionRoutes(services.signIn, services.sessions, clock),
      webhookRoutes(services.webhooks, services.projections, infra.knex, clock),
      channelRoutes(services.notifications, services.projections, infra.knex, clock),
    ],
  });
  const stopServices = async () => {
    await scheduler?.stop();
    await services.background.drain();
    await services.checkWorkers.stop();
    await services.webhooks.worker.stop();
    await services.notifications.worker.stop();
    await services.projections.stop();
    await services.usage.stop();
    await services.verifiedKeys.stop();
    await infra.close();
    await telemetry.shutdown();
  };
  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      // Express 5 hands an error of listen (a port in use) to this callback.
      const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
      answerClientErrors(s);
    });
  } catch (err) {
    // What started must stop, or the process would run on without serving.
    await stopServices();
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "EADDRINUSE" ? "the port is in use" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new ConfigError(`cannot listen on ${config.HOST}:${config.PORT} (HOST, PORT): ${why}`);
  }
  const bound = server.address() as AddressInfo;
  const urlHost = (address: string) => (address.includes(":") ? `[${address}]` : address);
  // The log names the address actually bound (0.0.0.0 is every interface, not loopback); the
  // returned url is one a local client can connect to.
  logger.info("listening", { address: bound.address, port: bound.port, url: `http://${urlHost(bound.address)}:${bound.port}/api/v1` });
  const wildcard = bound.address === "0.0.0.0" || bound.address === "::";
  const url = `http://${wildcard ? "127.0.0.1" : urlHost(bound.address)}:${bound.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    infra,
    services,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await stopServices();
        logger.info("stopped");
      })()),
  };
}
