// `ssltrackr projections status [--json]` and `ssltrackr projections rebuild [name]`.
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { formatPosition, comparePositions, type EventStore, type GlobalPosition } from "../../infrastructure/eventStore/eventStore.js";
import { readCheckpoints } from "../../infrastructure/projections/checkpoints.js";
import { parsePartition, type Partition } from "../../infrastructure/projections/partition.js";
import type { RebuildProgress } from "../../infrastructure/projections/projectionRunner.js";
import { withServices } from "./cliContext.js";

const LAG_COUNT_LIMIT = 100_000;
/** events/second is measured over this window. */
const RATE_SAMPLE_MS = 1000;

/** Events after `from`: counted by the store where it can, else by paging up to a limit. */
async function countBehind(store: EventStore, from: GlobalPosition | null, head: GlobalPosition | null): Promise<string> {
  if (!head || (from && comparePositions(from, head) >= 0)) return "0";
  if (store.countAfter) return String(await store.countAfter(from ?? undefined));
  let count = 0;
  let after = from ?? undefined;
  while (count < LAG_COUNT_LIMIT) {
    const page = await store.readAll({ after, maxCount: 1000 });
    count += page.length;
    if (page.length < 1000) return String(count);
    after = page.at(-1)!.position;
  }
  return `>${LAG_COUNT_LIMIT}`;
}

export async function status(args: string[]): Promise<number> {
  const { json } = parseArgs({ args, options: { json: { type: "boolean", default: false } } }).values;
  return withServices(async (services, infra) => {
    const names = services.projections.projections.map((p) => p.name);
    const before = await readCheckpoints(infra.knex, names);
    await sleep(RATE_SAMPLE_MS);
    const checkpoints = await readCheckpoints(infra.knex, names);
    const head = await infra.eventStore.headPosition();
    const rows = await Promise.all(
      names.map(async (name) => {
        const cp = checkpoints.get(name);
        const processed = cp?.eventsProcessed ?? 0;
        const rate = Math.max(0, processed - (before.get(name)?.eventsProcessed ?? processed)) / (RATE_SAMPLE_MS / 1000);
        return {
          name,
          checkpoint: cp?.position ? formatPosition(cp.position) : null,
          head: head ? formatPosition(head) : null,
          lag: await countBehind(infra.eventStore, cp?.position ?? null, head),
          events_per_second: Math.round(rate),
          events_processed: processed,
          updated_at: cp?.updatedAt.toISOString() ?? null,
          failing_since: cp?.failingSince?.toISOString() ?? null,
          last_error: cp?.lastError ?? null,
        };
      }),
    );
    if (json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    else
      for (const r of rows)
        process.stdout.write(
          `${r.name.padEnd(16)} checkpoint ${r.checkpoint ?? "-"}  head ${r.head ?? "-"}  lag ${r.lag}  events/s ${r.events_per_second}` +
            `${r.failing_since ? `  FAILING since ${r.failing_since}: ${r.last_error ?? ""}` : ""}\n`,
        );
    return 0;
  });
}

/** A progress line on stderr (done, events/s, time left): redrawn in place on a terminal, every few seconds otherwise. */
function progressReporter(name: string, total: number | null) {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return (p: RebuildProgress, done = false) => {
    if (!tty && !done && Date.now() - lastLine < 5000) return;
    lastLine = Date.now();
    const fraction = total ? Math.min(1, p.processed / total) : null;
    const bar = fraction === null ? "" : `[${"#".repeat(Math.round(fraction * 30)).padEnd(30, ".")}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
    const eta = total && p.eventsPerSecond > 0 && !done ? `  ETA ${Math.ceil(Math.max(0, total - p.processed) / p.eventsPerSecond)} s` : "";
    const line = `${name.padEnd(16)} ${bar}${p.processed}${total ? `/${total}` : ""} events  ${Math.round(p.eventsPerSecond)} events/s${eta}`;
    process.stderr.write(tty ? `\r${line}${done ? "\n" : ""}` : `${line}\n`);
  };
}

/**
 * `projections rebuild [name] [--partition k/n]`: with --partition, this process rebuilds
 * the k-th of n stream partitions of one per-stream projection; start all n together (one
 * process each), the last to finish swaps the tables in.
 */
export async function rebuild(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { partition: { type: "string" } } });
  if (positionals.length > 1) {
    process.stderr.write(`ssltrackr: one projection name at most, got ${positionals.join(" ")}\n`);
    return 2;
  }
  const [name] = positionals;
  let partition: Partition | undefined;
  try {
    partition = values.partition === undefined ? undefined : parsePartition(values.partition);
  } catch (err) {
    process.stderr.write(`ssltrackr: ${(err as Error).message}\n`);
    return 2;
  }
  return withServices(async (services, infra) => {
    const targets = services.projections.projections.filter((p) => !name || p.name === name);
    if (targets.length === 0 || (partition && (!name || !targets[0]?.perStream))) {
      process.stderr.write(
        partition ? `ssltrackr: --partition needs the name of a per-stream projection (${services.projections.projections.filter((p) => p.perStream).map((p) => p.name).join(", ")})\n` : `ssltrackr: no projection named "${name}"\n`,
      );
      return 2;
    }
    // All of them at once: one read of the log for every projection rebuilt.
    const started = Date.now();
    const names = targets.map((p) => p.name).join(", ");
    const counts = await Promise.all(targets.map(async (p) => infra.eventStore.countAfter?.(undefined, { eventTypes: [...p.eventTypes] })));
    const count = counts.includes(undefined) ? null : counts.reduce<number>((a, b) => a + (b ?? 0), 0);
    const report = progressReporter(targets.length === 1 ? names : "projections", count === null ? null : Math.round(count / (partition?.count ?? 1)));
    let last: RebuildProgress = { processed: 0, eventsPerSecond: 0 };
    const swapped = await services.projections.rebuild(targets, (p) => report((last = p)), partition ? { partition } : {});
    report(last, true);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      swapped
        ? `rebuilt ${names} in ${seconds}s (swapped in; reads were served throughout)\n`
        : `rebuilt partition ${partition?.index}/${partition?.count} of ${names} in ${seconds}s; the last partition to finish swaps the tables in\n`,
    );
    return 0;
  });
}
