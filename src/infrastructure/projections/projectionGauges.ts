// Projections on GET /metrics, read at scrape time from their checkpoint rows, so every
// process reports the same, whichever runs them:
//   ssltrackr_projection_failing_seconds{projection}  how long its batches have failed in a row
//                                                     (each retried every second); 0 while it commits
// A projection that fails on an event holds its read model at that point: alert on this
// (docs/prometheus.md), not on GET /ready, which takes an instance out of traffic.
import type { Knex } from "knex";
import { Gauge, Registry } from "prom-client";
import { readCheckpoints } from "./checkpoints.js";

export async function collectProjectionGauges(knex: Knex, names: readonly string[], now: Date): Promise<Registry> {
  const checkpoints = await readCheckpoints(knex, names);
  const registry = new Registry();
  const failing = new Gauge({
    name: "ssltrackr_projection_failing_seconds",
    help: "Seconds a projection's batches have failed in a row (each retried every second); 0 while it commits",
    labelNames: ["projection"],
    registers: [registry],
  });
  for (const name of names) {
    const since = checkpoints.get(name)?.failingSince;
    failing.set({ projection: name }, since ? Math.max(0, (now.getTime() - since.getTime()) / 1000) : 0);
  }
  return registry;
}
