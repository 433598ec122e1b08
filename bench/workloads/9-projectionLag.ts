// Workload 9: projection lag under a sustained write load of 300 events/s with every
// projection live in one process (one ProjectionRunner with the shared reader, as `serve`
// runs it). 30 writer lanes each append one event of a domain stream (the deciders' own
// histories: checks, alerts) every 100 ms. A poller reads the checkpoints every 10 ms; an
// event's lag, for each projection that handles its type, is the time from its append's
// acknowledgement to the first poll that sees that projection's checkpoint past it. Beside
// the load, a client adds a domain every 200 ms through DomainCommands, waits as the API does
// (waitFor on the written types) and reads the domain row at once: it must always be there.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { allProjections } from "../../projections/index.js";
import { DomainCommands } from "../../src/domains/domainCommands.js";
import { CommandHandler } from "../../src/infrastructure/commandHandling/commandHandler.js";
import { comparePositions, type GlobalPosition } from "../../src/infrastructure/eventStore/eventStore.js";
import { readCheckpoints } from "../../src/infrastructure/projections/checkpoints.js";
import { ProjectionRunner } from "../../src/infrastructure/projections/projectionRunner.js";
import { systemClock } from "../../src/shared/clock.js";
import { openBenchInfrastructure } from "../support/app.js";
import { createBenchDatabase } from "../support/database.js";
import { domainHistory, encodeAll } from "../support/domainHistory.js";
import type { Measurement } from "../support/report.js";
import { percentile } from "../support/stats.js";
import type { BenchOptions, Workload } from "../support/workload.js";

const LANES = 30;
const LANE_INTERVAL_MS = 100;

interface Pending {
  readonly position: GlobalPosition;
  readonly type: string;
  readonly at: number;
  /** Projections that handle it and have not passed it yet. */
  readonly waiting: Set<string>;
}

export const projectionLag: Workload = {
  ids: [9],
  name: "projection lag under 300 events/s, all projections live",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const durationMs = (quick ? 5 : 30) * 1000;
    const db = await createBenchDatabase("lag");
    const infra = await openBenchInfrastructure(db.url, 10);
    // As services.ts makes it: lazy while no write waits, hurried by waits (readerPace.ts).
    const runner = new ProjectionRunner(infra.knex, infra.eventStore, allProjections, { listenSession: infra.listenSession });
    const lags = new Map<string, number[]>(allProjections.map((p) => [p.name, []]));
    const pending: Pending[] = [];
    let appended = 0;
    let stale = 0;
    let creates = 0;
    try {
      const userId = randomUUID();
      await runner.start();
      const until = performance.now() + durationMs;
      const lane = async (index: number) => {
        for (let d = 0; performance.now() < until; d++) {
          const h = domainHistory({ userId, hostname: `l${index}-${d}.example.com`, events: 40, certDays: 1 + ((index + d) % 30), start: new Date(Date.now() - 20 * 86_400_000) });
          const encoded = encodeAll(h.events);
          for (let i = 0; i < encoded.length && performance.now() < until; i++) {
            const next = performance.now() + LANE_INTERVAL_MS;
            const { position } = await infra.eventStore.appendToStream(h.streamName, [encoded[i]!], { expectedRevision: i === 0 ? "no_stream" : BigInt(i - 1) });
            const type = encoded[i]!.type;
            const waiting = new Set(allProjections.filter((p) => p.eventTypes.has(type)).map((p) => p.name));
            pending.push({ position, type, at: performance.now(), waiting });
            appended++;
            await sleep(Math.max(0, next - performance.now()));
          }
        }
      };
      const domains = new DomainCommands(new CommandHandler(infra.eventStore, infra.snapshots), systemClock);
      const client = async () => {
        while (performance.now() < until) {
          const { domainId, position } = await domains.add({ userId, correlationId: randomUUID() }, { hostname: `c${creates}.example.com`, port: 443, notes: null, tags: [] });
          if (position) await runner.waitFor(position);
          const row = await infra.knex("domains").where({ id: domainId }).first();
          if (!row) stale++;
          creates++;
          await sleep(200);
        }
      };
      let polling = true;
      const poller = (async () => {
        while (polling || pending.length > 0) {
          const checkpoints = await readCheckpoints(infra.knex, allProjections.map((p) => p.name));
          const now = performance.now();
          for (const e of pending) {
            for (const name of e.waiting) {
              const at = checkpoints.get(name)?.position;
              if (at && comparePositions(at, e.position) >= 0) {
                lags.get(name)!.push(now - e.at);
                e.waiting.delete(name);
              }
            }
          }
          pending.splice(0, pending.length, ...pending.filter((e) => e.waiting.size > 0));
          if (!polling && now > until + 30_000) break;
          await sleep(10);
        }
      })();
      await Promise.all([...Array.from({ length: LANES }, (_, i) => lane(i)), client()]);
      polling = false;
      await poller;
      const rate = appended / (durationMs / 1000);
      log(`${appended} events appended (${rate.toFixed(0)}/s), ${creates} creates, ${stale} stale reads after the response`);
      const workload = `projection lag, ${rate.toFixed(0)} events/s for ${durationMs / 1000} s`;
      return [
        ...allProjections.map((p): Measurement => {
          const values = lags.get(p.name)!;
          return {
            id: `9 ${p.name}`,
            workload: `${workload}: p99 lag of ${p.name} (${p.consistency})`,
            unit: "ms",
            values: [values.length ? percentile(values, 99) : 0],
            target: { kind: "valueBelow", value: 1000 },
            note: `${values.length} events; p50 ${values.length ? percentile(values, 50).toFixed(0) : "-"} ms; unfinished ${pending.filter((e) => e.waiting.has(p.name)).length}`,
          };
        }),
        { id: "9 ryw", workload: `${workload}: domain reads missing right after POST-like creates`, unit: "reads", values: [stale], target: { kind: "valueBelow", value: 1 }, note: `${creates} creates` },
      ];
    } finally {
      await runner.stop();
      await infra.close();
      await db.drop();
    }
  },
};
