// What bench/run.ts knows of a workload: a name, and a run that returns its measurements.
import type { Measurement } from "./report.js";

export interface BenchOptions {
  /** Small counts and fewer runs (CI): shows the harness works, not how fast things are. */
  readonly quick: boolean;
  /** Directory for --cpu-prof output of processes the workloads start, when profiling. */
  readonly profileDir: string | undefined;
  readonly log: (message: string) => void;
}

export interface Workload {
  /** The workload ids this measures (several when they share a setup): 10, or 10b for a sub-workload of its own. */
  readonly ids: readonly (number | string)[];
  readonly name: string;
  run(options: BenchOptions): Promise<Measurement[]>;
}

/** Opens every connection of a pool before a timed phase, so connecting is not timed. */
export async function warmPool(pool: { query(sql: string): Promise<unknown> }, connections: number): Promise<void> {
  await Promise.all(Array.from({ length: connections }, () => pool.query("select pg_sleep(0.01)")));
}

/** Runs the contenders of one run in ABBA order across runs, so drift hits each alike. */
export const rotate = <T>(items: readonly T[], run: number): T[] => (run % 2 ? [...items].reverse() : [...items]);
