// GET /metrics: Prometheus text exposition (format 0.0.4) of the service's own metrics (this
// process's) and the per-domain gauges (the read model's, the same from every process).
// Outside /api/v1 and its API keys: Prometheus sends `Authorization: Bearer
// <SSLTRACKR_METRICS_TOKEN>`. Unset token: the route does not exist (404). See docs/prometheus.md.
import { createHash, timingSafeEqual } from "node:crypto";
import { Router } from "express";
import type { Knex } from "knex";
import { Registry } from "prom-client";
import { serviceRegistry } from "../infrastructure/telemetry/metrics.js";
import { UnauthorizedError } from "../shared/errors.js";
import type { Clock } from "../shared/clock.js";
import { collectCheckQueueGauges } from "../monitoring/checkQueueGauges.js";
import { collectDomainGauges } from "../monitoring/domainGauges.js";
import type { JobQueue } from "../infrastructure/queue/jobQueue.js";
import { collectProjectionGauges } from "../infrastructure/projections/projectionGauges.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function metricsRoutes(
  knex: Knex,
  queue: Pick<JobQueue, "stats">,
  projections: readonly string[],
  settings: { token: string | undefined; maxDomains: number },
  clock: Clock,
): Router {
  const router = Router();
  const { token } = settings;
  if (token === undefined) return router;
  const expected = digest(token);
  router.get("/metrics", async (req, res) => {
    // The scheme is case-insensitive (RFC 9110 §11.1), as for API keys.
    const presented = /^bearer (.+)$/i.exec(req.get("authorization") ?? "")?.[1];
    // Compared as fixed-length digests, in constant time.
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new UnauthorizedError("GET /metrics needs Authorization: Bearer <SSLTRACKR_METRICS_TOKEN>", "metrics");
    }
    const now = clock.now();
    const [domains, checkQueue, projectionGauges] = await Promise.all([
      collectDomainGauges(knex, settings.maxDomains, now),
      collectCheckQueueGauges(queue, now),
      collectProjectionGauges(knex, projections, now),
    ]);
    const merged = Registry.merge([serviceRegistry, domains, checkQueue, projectionGauges]);
    res.type(merged.contentType).send(await merged.metrics());
  });
  return router;
}
