// `ssltrackr projections status` and `ssltrackr projections rebuild [name]`.
import { formatPosition, comparePositions, type EventStore, type GlobalPosition } from "../../infrastructure/eventStore/eventStore.js";
import { readCheckpoints } from "../../infrastructure/projections/checkpoints.js";
import { withServices } from "./cliContext.js";

const LAG_COUNT_LIMIT = 100_000;

/** Events after `from`, counted up to a limit (the port offers no cheap count). */
async function countBehind(store: EventStore, from: GlobalPosition | null, head: GlobalPosition | null): Promise<string> {
  if (!head || (from && comparePositions(from, head) >= 0)) return "0";
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
  const json = args.includes("--json");
  return withServices(async (services, infra) => {
    const names = services.projections.projections.map((p) => p.name);
    const checkpoints = await readCheckpoints(infra.knex, names);
    const head = await infra.eventStore.headPosition();
    const rows = await Promise.all(
      names.map(async (name) => {
        const cp = checkpoints.get(name);
        return {
          name,
          checkpoint: cp?.position ? formatPosition(cp.position) : null,
          head: head ? formatPosition(head) : null,
          lag: await countBehind(infra.eventStore, cp?.position ?? null, head),
          events_processed: cp?.eventsProcessed ?? 0,
          updated_at: cp?.updatedAt.toISOString() ?? null,
        };
      }),
    );
    if (json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    else for (const r of rows) process.stdout.write(`${r.name.padEnd(16)} checkpoint ${r.checkpoint ?? "-"}  head ${r.head ?? "-"}  lag ${r.lag}\n`);
    return 0;
  });
}

export async function rebuild(args: string[]): Promise<number> {
  const [name] = args.filter((a) => !a.startsWith("--"));
  return withServices(async (services) => {
    const targets = services.projections.projections.filter((p) => !name || p.name === name);
    if (targets.length === 0) {
      process.stderr.write(`ssltrackr: no projection named "${name}"\n`);
      return 2;
    }
    for (const projection of targets) {
      const started = Date.now();
      await services.projections.rebuild(projection);
      process.stdout.write(`rebuilt ${projection.name} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    }
    return 0;
  });
}
