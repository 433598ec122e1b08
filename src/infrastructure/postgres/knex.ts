// The read-model side talks to PostgreSQL through knex; migrations are plain modules
// listed in projections/migrations.ts (no file-system discovery, so they work from a build
// and from TypeScript sources alike).
import knexFactory, { type Knex } from "knex";
import { migrations } from "../../../projections/migrations.js";
import { createLogger, type Logger } from "../logging/logger.js";

export function createKnex(
  connectionString: string,
  { logger = createLogger("silent"), poolMax = 10 }: { logger?: Logger; poolMax?: number } = {},
): Knex {
  // knex writes to the console by default; route it into the structured log instead.
  const log = (level: "warn" | "error" | "debug") => (message: unknown) =>
    logger[level]("knex", { detail: message instanceof Error ? message.message : String(message) });
  return knexFactory({
    client: "pg",
    connection: connectionString,
    pool: { min: 0, max: poolMax },
    log: { warn: log("warn"), error: log("error"), debug: log("debug"), deprecate: log("warn") },
  });
}

const migrationSource: Knex.MigrationSource<(typeof migrations)[number]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

export async function migrateReadModels(knex: Knex): Promise<void> {
  await knex.migrate.latest({ migrationSource });
}
