// The read-model side talks to PostgreSQL through knex; migrations are plain modules
// listed in projections/migrations.ts (no file-system discovery, so they work from a build
// and from TypeScript sources alike).
import knexFactory, { type Knex } from "knex";
import { migrations } from "../../../projections/migrations.js";

export function createKnex(connectionString: string, poolMax = 10): Knex {
  return knexFactory({ client: "pg", connection: connectionString, pool: { min: 0, max: poolMax } });
}

const migrationSource: Knex.MigrationSource<(typeof migrations)[number]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

export async function migrateReadModels(knex: Knex): Promise<void> {
  await knex.migrate.latest({ migrationSource });
}
