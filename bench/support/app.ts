// The product's own infrastructure (event store, read-model migrations, snapshots) opened on a
// bench database, for workloads that drive the code in-process.
import { openInfrastructure, type Infrastructure } from "../../src/app/infrastructure.js";
import { loadConfig, type Config } from "../../src/config.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";

/** The server's configuration for bench: no background checks, no logs, small pools. */
export const benchConfig = (databaseUrl: string, poolMax: number, env: Record<string, string> = {}): Config =>
  loadConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "silent",
    SSLTRACKR_DB_POOL_MAX: String(poolMax),
    SSLTRACKR_CHECK_ON_CREATE: "false",
    SSLTRACKR_SCHEDULER: "false",
    OTEL_SDK_DISABLED: "true",
    ...env,
  });

export const openBenchInfrastructure = (databaseUrl: string, poolMax: number): Promise<Infrastructure> =>
  openInfrastructure(benchConfig(databaseUrl, poolMax), createLogger("silent"));
