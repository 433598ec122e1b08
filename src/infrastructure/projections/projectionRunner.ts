// Runs every projection: one leader process per projection (advisory lock) follows the global
// log and commits each batch together with its checkpoint. Correctness does not rest on the
// lock: a batch commits only if the checkpoint row still holds the position the batch was
// read from, so a second process or a rebuild can never apply an event twice or skip one.
import { EventEmitter } from "node:events";
import type { Knex } from "knex";
import { UnavailableError } from "../../shared/errors.js";
import { comparePositions, type EventStore, type GlobalPosition } from "../eventStore/eventStore.js";
import type { LeaderLock, LeaderSession } from "../postgres/leaderLock.js";
import { inBatches } from "./batches.js";
import { ensureCheckpoint, lockCheckpoint, readCheckpoints, saveCheckpoint, type Checkpoint } from "./checkpoints.js";
import { liveTarget, shadowTarget, type ProjectionTarget } from "./projectionTarget.js";
import { prepareShadow, swapInShadow } from "./shadowTables.js";
import type { Projection } from "./projection.js";
import { serviceMetrics } from "../telemetry/metrics.js";
import { contextFrom, withSpan } from "../telemetry/tracing.js";

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /** Elects one projecting process per projection; without it this runner always projects (CLI). */
  readonly leaderSession?: LeaderSession;
  readonly onError?: (projection: string, err: unknown) => void;
}

class CheckpointMovedError extends Error {}

/** One run of a projection along the log: into which target, until where, under which lock. */
interface Follow {
  readonly projection: Projection;
  readonly target: ProjectionTarget;
  /** Stop once past this position; null: follow live until aborted. */
  readonly until: GlobalPosition | null;
  readonly signal: AbortSignal;
  /** Stop when leadership is lost. */
  readonly lock?: LeaderLock;
  readonly onBatch?: (events: number) => void | Promise<void>;
}

export interface RebuildProgress {
  readonly processed: number;
  readonly eventsPerSecond: number;
}

/** The advisory lock a projection's leader holds (a restore takes them all to keep servers out). */
export const projectionLockName = (projection: Projection): string => `projection:${projection.name}`;

const samePosition = (a: GlobalPosition | null, b: GlobalPosition | null) =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

export class ProjectionRunner {
  private readonly controller = new AbortController();
  private readonly committed = new EventEmitter();
  private readonly loops: Promise<void>[] = [];
  private readonly batchSize: number;
  private checkpointRead: Promise<Map<string, Checkpoint>> | undefined;
  private nextCheckpointRead: Promise<Map<string, Checkpoint>> | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly eventStore: EventStore,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.committed.setMaxListeners(0);
  }

  async start(): Promise<void> {
    for (const p of this.projections) await ensureCheckpoint(this.knex, p.name);
    for (const p of this.projections) this.loops.push(this.runLoop(p));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.loops);
  }

  /**
   * Resolves once every read-your-writes projection (or, with `all`, every projection,
   * eventual ones included) has passed `position`.
   */
  async waitFor(position: GlobalPosition, timeoutMs = 10_000, which: "read-your-writes" | "all" = "read-your-writes"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const names = this.projections.filter((p) => which === "all" || p.consistency === "read-your-writes").map((p) => p.name);
    while (true) {
      // Armed before reading, so a commit that lands during the read is not missed. A local
      // commit wakes us at once; another process's commit is seen on the next poll.
      const woken = this.nextCommit(25);
      const checkpoints = await this.freshCheckpoints();
      const behind = names.filter((n) => {
        const at = checkpoints.get(n)?.position;
        return !at || comparePositions(at, position) < 0;
      });
      if (behind.length === 0 || Date.now() >= deadline) woken.cancel();
      if (behind.length === 0) return;
      if (Date.now() >= deadline) {
        throw new UnavailableError(`The change was saved, but read models are behind (${behind.join(", ")}); retry shortly`);
      }
      await woken.done;
    }
  }

  /** Resolves on the next local batch commit, or after `timeoutMs`. */
  private nextCommit(timeoutMs: number): { done: Promise<void>; cancel(): void } {
    const committed = this.committed;
    let finish = () => undefined as void;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), timeoutMs);
      finish = () => {
        clearTimeout(timer);
        committed.off("batch", finish);
        resolve();
      };
      committed.once("batch", finish);
    });
    return { done, cancel: () => finish() };
  }

  /**
   * Every checkpoint, as read after this call: concurrent waiters share one read (the next
   * one when a read is already in flight, which may have started before they asked). Every
   * commit wakes every waiter; a query each crowded the pool the projectors commit through.
   */
  private freshCheckpoints(): Promise<Map<string, Checkpoint>> {
    if (!this.checkpointRead) {
      this.checkpointRead = readCheckpoints(this.knex, this.projections.map((p) => p.name)).finally(() => {
        this.checkpointRead = undefined;
      });
      return this.checkpointRead;
    }
    this.nextCheckpointRead ??= this.checkpointRead
      .catch(() => undefined)
      .then(() => {
        this.nextCheckpointRead = undefined;
        return this.freshCheckpoints();
      });
    return this.nextCheckpointRead;
  }

  /** Projects everything up to the current head, then returns (CLI, tests). */
  async catchUp(): Promise<void> {
    for (const p of this.projections) await ensureCheckpoint(this.knex, p.name);
    const head = await this.eventStore.headPosition();
    if (!head) return;
    await Promise.all(
      this.projections.map((p) => this.followUntil({ projection: p, target: liveTarget(p), until: head, signal: this.controller.signal })),
    );
  }

  /**
   * Rebuilds a projection from the start of the log into shadow tables while the live ones
   * keep serving (and following) reads, then swaps them in once caught up. Afterwards the
   * live checkpoint continues from where the rebuild got to.
   */
  async rebuild(projection: Projection, onProgress?: (progress: RebuildProgress) => void | Promise<void>): Promise<void> {
    await ensureCheckpoint(this.knex, projection.name);
    await prepareShadow(this.knex, projection);
    const shadow = shadowTarget(projection);
    const started = performance.now();
    let processed = 0;
    const report = async (count: number) => {
      processed += count;
      const seconds = (performance.now() - started) / 1000;
      await onProgress?.({ processed, eventsPerSecond: seconds > 0 ? processed / seconds : 0 });
    };
    // Catch up with a head that moves on while we project; swap once nearly there.
    for (let round = 0; round < 10; round++) {
      const head = await this.eventStore.headPosition();
      if (!head) break;
      const [before] = (await readCheckpoints(this.knex, [shadow.checkpoint])).values();
      await this.followUntil({ projection, target: shadow, until: head, signal: this.controller.signal, onBatch: report });
      if (before?.position && comparePositions(before.position, head) >= 0) break;
    }
    await swapInShadow(this.knex, projection);
    this.committed.emit("batch");
    const head = await this.eventStore.headPosition();
    if (head) await this.followUntil({ projection, target: liveTarget(projection), until: head, signal: this.controller.signal });
  }

  private async runLoop(projection: Projection): Promise<void> {
    const signal = this.controller.signal;
    const lock = this.options.leaderSession?.lock(projectionLockName(projection));
    try {
      while (!signal.aborted) {
        if (lock && !(await lock.tryAcquire())) {
          await sleep(2000, signal);
          continue;
        }
        try {
          await this.followUntil({ projection, target: liveTarget(projection), until: null, signal, ...(lock ? { lock } : {}) });
        } catch (err) {
          this.options.onError?.(projection.name, err);
          await sleep(1000, signal);
        }
      }
    } finally {
      await lock?.release();
    }
  }

  /**
   * Follows the log from the stored checkpoint until `until` is passed (null: forever). When
   * another runner (a second process, a CLI catch-up, a rebuild) moves the checkpoint, it
   * starts again from where that one got to.
   */
  private async followUntil(follow: Follow): Promise<void> {
    while (true) {
      try {
        return await this.followFromCheckpoint(follow);
      } catch (err) {
        if (!(err instanceof CheckpointMovedError) || follow.signal.aborted) throw err;
      }
    }
  }

  private async followFromCheckpoint({ projection, target, until, signal, lock, onBatch }: Follow): Promise<void> {
    const [stored] = (await readCheckpoints(this.knex, [target.checkpoint])).values();
    let from = stored?.position ?? null;
    if (until && from && comparePositions(from, until) >= 0) return;
    const local = new AbortController();
    const stop = () => local.abort();
    signal.addEventListener("abort", stop, { once: true });
    try {
      const subscription = this.eventStore.subscribeToAll({ after: from ?? undefined, signal: local.signal });
      for await (const batch of inBatches(subscription, this.batchSize)) {
        if (lock && !lock.isHeld) return;
        if (batch.position) {
          await this.commitBatch(projection, target, from, batch.position, batch.events);
          from = batch.position;
          this.committed.emit("batch");
          await onBatch?.(batch.events.length);
        }
        if (until && from && comparePositions(from, until) >= 0) return;
      }
    } finally {
      local.abort();
      signal.removeEventListener("abort", stop);
    }
  }

  private async commitBatch(
    projection: Projection,
    target: ProjectionTarget,
    from: GlobalPosition | null,
    to: GlobalPosition,
    events: Parameters<Projection["apply"]>[1][],
  ): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const current = await lockCheckpoint(trx, target.checkpoint);
      if (!samePosition(current.position, from)) throw new CheckpointMovedError();
      await trx.raw("select set_config('search_path', ?, true), set_config('synchronous_commit', 'off', true)", [target.searchPath]);
      for (const event of events) {
        // Each projected event continues the trace of the command that recorded it.
        await withSpan(`project ${projection.name} ${event.type}`, { "ssltrackr.projection": projection.name }, () => projection.apply(trx, event), {
          parent: contextFrom(event.metadata),
        });
      }
      await saveCheckpoint(trx, target.checkpoint, to, events.length);
    });
    const last = events.at(-1);
    if (last) serviceMetrics().projectionLag.record((Date.now() - last.createdAt.getTime()) / 1000, { projection: projection.name });
  }
}
