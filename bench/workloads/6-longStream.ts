// Workload 6: the latency of one command (UpdateDomain, through the command handler with the
// domain stream's snapshots) on a domain with 10k past events, against the same command on a
// fresh domain. The long history is appended straight to the store; one untimed command on
// each domain first lets the handler write its snapshot, as it would have done along the way.
import { randomUUID } from "node:crypto";
import { domainStream } from "../../src/domains/domainStream.js";
import { CommandHandler } from "../../src/infrastructure/commandHandling/commandHandler.js";
import { openBenchInfrastructure } from "../support/app.js";
import { createBenchDatabase } from "../support/database.js";
import { appendHistories, domainHistory, type DomainHistory } from "../support/domainHistory.js";
import type { Measurement } from "../support/report.js";
import { median } from "../support/stats.js";
import { rotate, type BenchOptions, type Workload } from "../support/workload.js";

export const longStream: Workload = {
  ids: [6],
  name: "command on a domain with 10k past events vs a fresh domain",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const pastEvents = quick ? 2_000 : 10_000;
    const commands = quick ? 100 : 300;
    const runs = quick ? 2 : 5;
    const db = await createBenchDatabase("stream");
    const infra = await openBenchInfrastructure(db.url, 4);
    try {
      const handler = new CommandHandler(infra.eventStore, infra.snapshots);
      const userId = randomUUID();
      const start = new Date(Date.now() - 5 * 365 * 86_400_000);
      const histories: DomainHistory[] = [];
      const specs = [pastEvents, 1];
      await appendHistories(infra.eventStore, 2, 1, (i) => {
        const h = domainHistory({ userId, hostname: `long${i}.example.com`, events: specs[i]!, certDays: 4000, start });
        histories.push(h);
        return h;
      });
      const [long, fresh] = histories as [DomainHistory, DomainHistory];
      let n = 0;
      const command = (h: DomainHistory) =>
        handler.handle(h.streamName, domainStream, { type: "UpdateDomain", userId, changes: { notes: `note ${n++}` }, now: new Date() }, { correlationId: randomUUID() });
      /** Median milliseconds of one command, `commands` in a row. */
      const latency = async (h: DomainHistory) => {
        const times: number[] = [];
        for (let i = 0; i < commands; i++) {
          const t = performance.now();
          await command(h);
          times.push(performance.now() - t);
        }
        return median(times);
      };
      for (const h of [long, fresh]) for (let i = 0; i < 25; i++) await command(h);
      const results = { long: [] as number[], fresh: [] as number[] };
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(["long", "fresh"] as const, run)) results[name].push(await latency(name === "long" ? long : fresh));
        log(`run ${run + 1}/${runs}: long ${results.long.at(-1)!.toFixed(2)} ms, fresh ${results.fresh.at(-1)!.toFixed(2)} ms`);
      }
      return [
        {
          id: "6",
          workload: `UpdateDomain on a domain with ${pastEvents / 1000}k past events (median of ${commands} in a row)`,
          unit: "ms",
          values: results.long,
          reference: { name: "fresh domain", values: results.fresh },
          target: { kind: "ratioAtMost", ratio: 1.2 },
        },
      ];
    } finally {
      await infra.close();
      await db.drop();
    }
  },
};
