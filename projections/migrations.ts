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
import { migration as m0008 } from "./migrations/0008_r12CheckResultLz4.js";
import { migration as m0015 } from "./migrations/0015_registrationLapse.js";
import { migration as m0010c14 } from "./migrations/0010_c14_renewalWindows.js";
import { migration as m0012n15 } from "./migrations/0012_n15AlertLifecycle.js";
import { migration as m0012bn15 } from "./migrations/0012b_n15NotificationChannels.js";
import { migration as m0013s16 } from "./migrations/0013_s16Sessions.js";
import { migration as m0016g15 } from "./migrations/0016_g15Digests.js";
import { migration as m0017t16 } from "./migrations/0017_t16_domainTags.js";
import { migration as m0018 } from "./migrations/0018_projectionFailures.js";

export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0010c14, m0012n15, m0012bn15, m0013s16, m0015, m0016g15, m0017t16, m0018].sort((a, b) => a.name.localeCompare(b.name));
