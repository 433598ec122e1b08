// Wires the concepts' command services, queries and the projection runner onto the
// infrastructure. Shared by the HTTP server and the CLI.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { allProjections } from "../../projections/index.js";
import { AccountCommands } from "../accounts/accountCommands.js";
import { ApiKeyQueries, usableKeyHashes } from "../accounts/apiKeyQueries.js";
import { VerifiedKeyCache } from "../accounts/verifiedKeyCache.js";
import { KeyUsageTracker } from "../accounts/keyUsageTracker.js";
import { SessionStore } from "../accounts/sessionStore.js";
import { SignIn } from "../accounts/signIn.js";
import { DomainCommands } from "../domains/domainCommands.js";
import { DomainQueries } from "../domains/domainQueries.js";
import { DomainHistory } from "../domains/domainHistory.js";
import { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import type { Logger } from "../infrastructure/logging/logger.js";
import { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import { withInlineProjections } from "../infrastructure/projections/inlineProjections.js";
import type { Clock } from "../shared/clock.js";
import type { Config } from "../config.js";
import { AlertSettingsQueries } from "../monitoring/alertSettingsQueries.js";
import { CheckRunner } from "../monitoring/checkRunner.js";
import { ReportQueries } from "../reports/reportQueries.js";
import { DigestRunner } from "../reports/digestRunner.js";
import { DigestSettingsQueries } from "../reports/digestSettingsQueries.js";
import { CheckRequests } from "../monitoring/checkRequests.js";
import { createCheckWorkers } from "../monitoring/checkWorker.js";
import { DueChecks } from "../monitoring/scheduler/dueChecks.js";
import { schedulerSettings } from "../monitoring/scheduler/checkScheduler.js";
import { checkersFromConfig, type Checkers } from "../monitoring/checkers.js";
import { CheckQueries } from "../monitoring/checkQueries.js";
import { AlertQueries } from "../monitoring/alertQueries.js";
import { BackgroundTasks } from "../shared/backgroundTasks.js";
import { createWebhooks } from "../webhooks/webhookModule.js";
import { createNotifications } from "../notifications/notificationModule.js";
import type { Infrastructure } from "./infrastructure.js";
import { PostgresConnectionGate } from "../infrastructure/network/connectionGate.js";

/** The politeness gate of checks, unless SSLTRACKR_TARGET_MAX_CONNECTIONS is 0. */
const connectionGate = (infra: Infrastructure, config: Config, owner: string) =>
  config.SSLTRACKR_TARGET_MAX_CONNECTIONS === 0
    ? undefined
    : new PostgresConnectionGate(infra.knex, {
        maxConnections: config.SSLTRACKR_TARGET_MAX_CONNECTIONS,
        spacingMs: config.SSLTRACKR_TARGET_MIN_SPACING_MS,
        // A connection lives through connect, handshake and one HTTP exchange at most.
        leaseMs: 3 * config.SSLTRACKR_CHECK_TIMEOUT_MS + 5000,
        owner,
      });

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
  // Writes to the domains read model commit with their events (inlineProjections.ts).
  const inline = withInlineProjections(infra.eventStore, infra.knex, allProjections, (projection, err) =>
    options.logger.warn("inline projection failed; the write waits for the projector instead", { projection, err }),
  );
  const handler = new CommandHandler(inline, infra.snapshots);
  const usage = new KeyUsageTracker(infra.knex);
  const projections = new ProjectionRunner(infra.knex, infra.eventStore, allProjections, {
    listenSession: infra.listenSession,
    ...(options.leaderElection ? { leaderSession: infra.leaderSession } : {}),
    onError: (projection, err) => options.logger.error("projection failed; retrying", { projection, err }),
  });
  // Serves authentication from memory once started (servers); CLI commands never start it.
  const verifiedKeys = new VerifiedKeyCache(infra.listenSession, (hashes, now) => usableKeyHashes(infra.knex, hashes, now), options.clock);
  const alertSettings = new AlertSettingsQueries(infra.knex);
  const { config } = options;
  const sessions = new SessionStore(infra.knex, {
    idleMinutes: config.SSLTRACKR_SESSION_IDLE_MINUTES,
    absoluteHours: config.SSLTRACKR_SESSION_ABSOLUTE_HOURS,
  });
  /** This process, as the scheduler's heartbeat and check jobs' outputs name it. */
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const checkQueries = new CheckQueries(infra.knex, options.clock);
  const reports = new ReportQueries(infra.knex, options.clock);
  const checks = new CheckRunner(
    handler,
    options.checkers ?? checkersFromConfig(options.config, options.clock, connectionGate(infra, options.config, owner)),
    alertSettings,
    {
      lastFullProbe: (domainId, target) => checkQueries.lastFullProbe(domainId, target),
      fullProbeIntervalMs: options.config.SSLTRACKR_FULL_PROBE_INTERVAL_HOURS * 3_600_000,
    },
    options.clock,
  );
  const checkWorkers = createCheckWorkers(
    {
      queue: infra.queue,
      runner: checks,
      due: new DueChecks(infra.knex, schedulerSettings(options.config)),
      projections,
      owner,
      logger: options.logger,
    },
    {
      concurrency: options.config.SSLTRACKR_CHECK_CONCURRENCY,
      pollMs: options.config.SSLTRACKR_QUEUE_POLL_MS,
      leaseSeconds: options.config.SSLTRACKR_CHECK_LEASE_SECONDS,
    },
  );
  return {
    handler,
    projections,
    usage,
    owner,
    verifiedKeys,
    checks,
    checkWorkers,
    // Checks asked for here also wake this process's workers (if it runs them) at once.
    checkRequests: new CheckRequests(infra.queue, () => checkWorkers.wake()),
    alertSettings,
    checkQueries,
    history: new DomainHistory(infra.eventStore),
    alertQueries: new AlertQueries(infra.knex),
    reports,
    digestSettings: new DigestSettingsQueries(infra.knex),
    digests: new DigestRunner(infra.knex, reports, options.clock, config.SSLTRACKR_PUBLIC_URL ?? null),
    background: new BackgroundTasks((err) => options.logger.error("background task failed", { err })),
    accounts: new AccountCommands(handler, infra.eventStore, options.clock),
    apiKeys: new ApiKeyQueries(infra.knex, usage, verifiedKeys),
    sessions,
    signIn: new SignIn(infra.knex, sessions, {
      perIp: config.SSLTRACKR_SIGNIN_RATE_PER_IP,
      perAccount: config.SSLTRACKR_SIGNIN_RATE_PER_ACCOUNT,
      lockoutFailures: config.SSLTRACKR_SIGNIN_LOCKOUT_FAILURES,
      lockoutMinutes: config.SSLTRACKR_SIGNIN_LOCKOUT_MINUTES,
    }),
    domains: new DomainCommands(handler, options.clock),
    domainQueries: new DomainQueries(infra.knex, options.clock),
    webhooks: createWebhooks(handler, infra.knex, options),
    notifications: createNotifications(handler, infra.knex, options),
  };
}

export type Services = ReturnType<typeof createServices>;
