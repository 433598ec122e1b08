// Schema of the read models: one module per migration in projections/migrations/, applied in
// name order. Add new ones at the end; never edit one that has shipped.
import type { Knex } from "knex";
import { migration as m0001 } from "./migrations/0001_checkpointsAndAccounts.js";
import { migration as m0002 } from "./migrations/0002_domains.js";
import { migration as m0003 } from "./migrations/0003_monitoring.js";
import { migration as m0004 } from "./migrations/0004_webhooks.js";
import { migration as m0005 } from "./migrations/0005_scheduler.js";
import { migration as m0006 } from "./migrations/0006_analytics.js";
import { migration as m0007 } from "./migrations/0007_webhookTrace.js";

export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007].sort((a, b) => a.name.localeCompare(b.name));
