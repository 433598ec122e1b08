// Probes for orchestrators, without authentication:
//   GET /health - liveness: the process serves HTTP.
//   GET /ready  - readiness: the database and the event store answer, and no projection is
//                 more than READY_MAX_LAG events behind the head of the log.
import { Router } from "express";
import type { Knex } from "knex";
import { comparePositions, type EventStore } from "../infrastructure/eventStore/eventStore.js";
import { readCheckpoints } from "../infrastructure/projections/checkpoints.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";

export const READY_MAX_LAG = 1000;
/** A probe answers in time even when a dependency hangs (e.g. connections refused slowly). */
export const READY_CHECK_TIMEOUT_MS = 2000;

const probe = async (check: () => Promise<string | null>) => {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${READY_CHECK_TIMEOUT_MS} ms`), READY_CHECK_TIMEOUT_MS);
  });
  try {
    const problem = await Promise.race([check(), timedOut]);
    return problem ? { ok: false, detail: problem } : { ok: true };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
};

export function healthRoutes(knex: Knex, eventStore: EventStore, projections: ProjectionRunner): Router {
  const router = Router();

  router.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/ready", async (_req, res) => {
    const names = projections.projections.map((p) => p.name);
    const [database, eventStoreCheck, projectionCheck] = await Promise.all([
      probe(async () => {
        await knex.raw("select 1");
        return null;
      }),
      probe(async () => {
        await eventStore.headPosition();
        return null;
      }),
      probe(async () => {
        const checkpoints = await readCheckpoints(knex, names);
        const head = await eventStore.headPosition();
        if (!head) return null;
        const behind: string[] = [];
        for (const projection of projections.projections) {
          const at = checkpoints.get(projection.name)?.position ?? undefined;
          if (at && comparePositions(at, head) >= 0) continue;
          // Only events it handles count: the others it skips without work.
          const pending = await eventStore.readAll({ after: at, maxCount: READY_MAX_LAG + 1, eventTypes: [...projection.eventTypes] });
          if (pending.length > READY_MAX_LAG) behind.push(projection.name);
        }
        return behind.length ? `projections behind by more than ${READY_MAX_LAG} events: ${behind.join(", ")}` : null;
      }),
    ]);
    const checks = { database, event_store: eventStoreCheck, projections: projectionCheck };
    const ready = Object.values(checks).every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not_ready", checks });
  });

  return router;
}
