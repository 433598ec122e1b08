// Runs every projection: one leader process per projection (advisory lock) follows the global
// log and commits each batch together with its checkpoint. Correctness does not rest on the
// lock: a batch commits only if the checkpoint row still holds the position the batch was
// read from, so a second process or a rebuild can never apply an event twice or skip one.
// Live projections share one reader per process (sharedReader.ts); one that is behind, or a
// catch-up, reads on its own, only the event types it declares. A rebuild reads once for all
// the projections it rebuilds and writes each in lanes (stream partitions) at once.
import { EventEmitter } from "node:events";
import type { Knex } from "knex";
import { UnavailableError } from "../../shared/errors.js";
import type { Written } from "../commandHandling/written.js";
import { comparePositions, type EventStore, type GlobalPosition, type RecordedEvent } from "../eventStore/eventStore.js";
import type { LeaderLock, LeaderSession } from "../postgres/leaderLock.js";
import { inBatches } from "./batches.js";
import { ensureCheckpoint, lockCheckpoint, readCheckpoint, readCheckpoints, recordFailure, saveCheckpoint, type Checkpoint } from "./checkpoints.js";
import { hashInPartition, type Partition, streamHash, WHOLE_LOG } from "./partition.js";
import { liveTarget, shadowTarget, type ProjectionTarget } from "./projectionTarget.js";
import { readLogFrom } from "./rowWrites.js";
import { finishShadow, prepareShadow } from "./shadowTables.js";
import { FeedOverflowError, SharedReader, type Feed } from "./sharedReader.js";
import { LAZY_COALESCE_MS, ReaderPace } from "./readerPace.js";
import type { ChannelSubscription, ListenSession } from "../postgres/listenSession.js";
import { sharedNarrowings, type Projection } from "./projection.js";
import { serviceMetrics } from "../telemetry/metrics.js";
import { withEventSpans } from "../telemetry/tracing.js";

export interface ProjectionRunnerOptions {
  /** Events per transaction while following live. */
  readonly batchSize?: number;
  /** Events per transaction (and per read) in a rebuild. */
  readonly rebuildBatchSize?: number;
  /**
   * Writers per process in a rebuild of a per-stream projection: each batch read is split by
   * stream hash into this many transactions on connections of their own, committed at once
   * (the server parses and compresses rows on as many cores). Default 2.
   */
  readonly rebuildLanes?: number;
  /** Messages a live projection may fall behind the shared reader before it reads on its own. */
  readonly feedLimit?: number;
  /** Elects one projecting process per projection; without it this runner always projects (CLI). */
  readonly leaderSession?: LeaderSession;
  readonly onError?: (projection: string, err: unknown) => void;
  /**
   * The process's LISTEN connection to the read models' database: once started, the runner
   * hears other processes' waits (NOTIFY on WANTED_CHANNEL) and its shared reader gathers
   * appends for `lazyMs` while no write waits (readerPace.ts). Without it the reader stays
   * live (a runner tested alone).
   */
  readonly listenSession?: ListenSession;
  /** How long appends gather while no write waits, in ms (default LAZY_COALESCE_MS). */
  readonly lazyMs?: number;
}

/** Where a wait asks the processes leading projections to read now (readerPace.ts). */
export const WANTED_CHANNEL = "ssltrackr_projections_wanted";
/** A waiting process asks again this often (ms): a leader stays hurried for its lazyMs after hearing it. */
const ASK_AGAIN_MS = LAZY_COALESCE_MS / 2;

class CheckpointMovedError extends Error {}

/**
 * A rebuild reads pages smaller than its batches: the first batch is written as soon as one
 * page is in, and a batch grows to its size while the writes are slower than the reads.
 */
const READ_PAGES_PER_BATCH = 5;
/** A rebuild's batches being committed at once (each lane in order): see loadTracks. */
const REBUILD_BATCHES_IN_FLIGHT = 2;

/** A projection in a rebuild: the stream partitions (lanes) it is written in, and their shadow targets. */
interface Track {
  readonly projection: Projection;
  readonly lanes: readonly Partition[];
  readonly targets: readonly ProjectionTarget[];
}

/** One run of a projection along the log: into which target, until where, from which source. */
interface Follow {
  readonly projection: Projection;
  readonly target: ProjectionTarget;
  /** Stop once past this position; null: follow live until aborted. */
  readonly until: GlobalPosition | null;
  readonly signal: AbortSignal;
  readonly batchSize: number;
  /** Stop when leadership is lost. */
  readonly lock?: LeaderLock;
  /** The shared reader's feed; without it, a read of its own from the checkpoint. */
  readonly feed?: Feed;
  /** With a feed: how far the read of its own went (the feed lacks nothing of its types past it). */
  readonly caughtUpTo?: GlobalPosition | null;
}

export interface RebuildProgress {
  /** Events applied so far, per projection that applied them (its types, in its partition), summed. */
  readonly processed: number;
  readonly eventsPerSecond: number;
}

/** The advisory lock a projection's leader holds (a restore takes them all to keep servers out). */
export const projectionLockName = (projection: Projection): string => `projection:${projection.name}`;

const samePosition = (a: GlobalPosition | null, b: GlobalPosition | null) =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;
const after = (a: GlobalPosition, b: GlobalPosition | null) => !b || comparePositions(a, b) > 0;
/** The least advanced of some positions (null, the start of the log, when any is). */
const leastOf = (positions: readonly (GlobalPosition | null)[]) =>
  positions.reduce<GlobalPosition | null | undefined>((a, b) => (a === undefined ? b : !a || !b ? null : comparePositions(a, b) <= 0 ? a : b), undefined) ?? null;

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
  private readonly rebuildBatchSize: number;
  private readonly rebuildLanes: number;
  private readonly reader: SharedReader;
  private readonly pace: ReaderPace;
  private wanted: ChannelSubscription | undefined;
  /** When this process last asked the others to read now (performance.now()). */
  private askedAt = -Infinity;
  /** Whether that NOTIFY is still unanswered (one at a time, never a queue on the pool). */
  private asking = false;
  /**
   * Live checkpoints this runner committed, while it leads their projection: waitFor reads
   * them here as the batch commits, without a query. Dropped when the checkpoint moves under
   * it (another runner, a rebuild's swap) or leadership is lost.
   */
  private readonly committedHere = new Map<string, GlobalPosition>();
  private checkpointRead: Promise<Map<string, Checkpoint>> | undefined;
  private nextCheckpointRead: Promise<Map<string, Checkpoint>> | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly eventStore: EventStore,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.rebuildBatchSize = options.rebuildBatchSize ?? 5000;
    this.rebuildLanes = options.rebuildLanes ?? 2;
    this.committed.setMaxListeners(0);
    const types = [...new Set(projections.flatMap((p) => [...p.eventTypes]))];
    this.pace = new ReaderPace(options.lazyMs);
    this.reader = new SharedReader(eventStore, types, this.controller.signal, this.pace.coalesce, (err) => options.onError?.("shared reader", err));
  }

  async start(): Promise<void> {
    if (this.options.listenSession) {
      const pace = this.pace;
      this.wanted = this.options.listenSession.listen(WANTED_CHANNEL, {
        onListening: () => pace.hearing(true),
        onDeaf: () => pace.hearing(false),
        onNotification: () => pace.hurry(),
      });
      await this.wanted.ready;
    }
    for (const p of this.projections) await ensureCheckpoint(this.knex, p.name);
    // The shared reader starts at the furthest checkpoint (a final position); projections
    // behind it catch up on their own first.
    const checkpoints = [...(await readCheckpoints(this.knex, this.projections.map((p) => p.name))).values()];
    const furthest = checkpoints.reduce<GlobalPosition | null>((a, c) => (c.position && after(c.position, a) ? c.position : a), null);
    this.reader.start(furthest);
    for (const p of this.projections) this.loops.push(this.runLoop(p));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.wanted?.stop();
    await this.reader.stop();
    await Promise.allSettled(this.loops);
  }

  /**
   * Resolves once every read-your-writes projection that awaits one of the written event
   * types (Projection.awaitedTypes; a bare position: every one; with `all`, eventual ones
   * too) has passed it, or shows the write already (Written.upToDate: projected inline).
   * Throws UnavailableError (503) after `timeoutMs`.
   */
  async waitFor(written: Written | GlobalPosition, timeoutMs = 10_000, which: "read-your-writes" | "all" = "read-your-writes"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const types = "eventTypes" in written ? written.eventTypes : null;
    const upToDate = "upToDate" in written ? written.upToDate : [];
    const names = this.projections
      .filter((p) => which === "all" || p.consistency === "read-your-writes")
      .filter((p) => !types || types.some((t) => p.awaitedTypes.has(t)))
      .filter((p) => !upToDate.includes(p.name))
      .map((p) => p.name);
    if (names.length === 0) return;
    const passed = (at: GlobalPosition | null | undefined) => !!at && comparePositions(at, written) >= 0;
    if (names.every((n) => passed(this.committedHere.get(n)))) return;
    // This process's reader reads live while it waits for a projection led here (readerPace.ts);
    // processes leading the others are asked by NOTIFY (askOthers).
    const endWait = names.some((n) => this.committedHere.has(n) && !passed(this.committedHere.get(n))) ? this.pace.waitBegins() : undefined;
    try {
      await this.waitUntilPassed(names, passed, deadline);
    } finally {
      endWait?.();
    }
  }

  private async waitUntilPassed(names: readonly string[], passed: (at: GlobalPosition | null | undefined) => boolean, deadline: number): Promise<void> {
    let byCommit = true; // no wait yet, or the last one ended by a local commit
    while (true) {
      // Armed before looking, so a commit that lands meanwhile is not missed. A local commit
      // wakes us at once; another process's commit is seen on the next poll (25 ms). What this
      // process projects is known here; the database is asked about the rest, and about
      // everything when a wait ended without a local commit (leadership may have moved; polled
      // every 250 ms when only projections led here are behind).
      let behind = names.filter((n) => !passed(this.committedHere.get(n)));
      const woken = this.nextCommit(behind.every((n) => this.committedHere.has(n)) ? 250 : 25);
      if (behind.some((n) => !byCommit || !this.committedHere.has(n))) {
        const checkpoints = await this.freshCheckpoints();
        behind = behind.filter((n) => !passed(checkpoints.get(n)?.position));
      }
      if (behind.some((n) => !this.committedHere.has(n))) this.askOthers();
      if (behind.length === 0 || Date.now() >= deadline) woken.cancel();
      if (behind.length === 0) return;
      if (Date.now() >= deadline) {
        throw new UnavailableError(`The change was saved, but read models are behind (${behind.join(", ")}); retry shortly`);
      }
      byCommit = await woken.done;
    }
  }

  /**
   * Asks the processes leading projections to read now rather than lazily (NOTIFY), at most
   * every ASK_AGAIN_MS while a wait of this process goes on. Not awaited: the wait polls the
   * checkpoints anyway, so a lost NOTIFY costs at most their lazyMs.
   */
  private askOthers(): void {
    const now = performance.now();
    if (this.asking || now - this.askedAt < ASK_AGAIN_MS) return;
    this.askedAt = now;
    this.asking = true;
    const answered = () => {
      this.asking = false;
    };
    this.knex.raw("select pg_notify(?, '')", [WANTED_CHANNEL]).then(answered, answered);
  }

  /** Resolves true on the next local batch commit, false after `timeoutMs` (or when cancelled). */
  private nextCommit(timeoutMs: number): { done: Promise<boolean>; cancel(): void } {
    const committed = this.committed;
    let finish = (_byCommit: boolean) => undefined as void;
    const onCommit = () => finish(true);
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      finish = (byCommit) => {
        clearTimeout(timer);
        committed.off("batch", onCommit);
        resolve(byCommit);
      };
      committed.once("batch", onCommit);
    });
    return { done, cancel: () => finish(false) };
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
    await Promise.all(this.projections.map((p) => this.catchUpTarget(p, liveTarget(p), this.batchSize)));
  }

  /** Follows `target` up to the newest event of the projection's types (in its partition) there is now. */
  private async catchUpTarget(projection: Projection, target: ProjectionTarget, batchSize: number): Promise<void> {
    const until = await this.eventStore.headPosition({ eventTypes: [...projection.eventTypes] });
    if (until) await this.followUntil({ projection, target, until, signal: this.controller.signal, batchSize });
  }

  /**
   * Rebuilds projections from the start of the log into shadow tables while the live ones
   * keep serving (and following) reads, then swaps each in once caught up. Afterwards the
   * live checkpoint continues from where the rebuild got to. Projections rebuilt in one call
   * share one read (and decode) of the log.
   *
   * With `partition`, this process builds only the streams of its partition (per-stream
   * projections only); the processes of the other partitions build theirs into the same
   * shadow tables, and the last one to finish swaps them in. Returns whether this call
   * swapped (every projection's tables).
   */
  async rebuild(
    which: Projection | readonly Projection[],
    onProgress?: (progress: RebuildProgress) => void | Promise<void>,
    options: { readonly partition?: Partition } = {},
  ): Promise<boolean> {
    const partition = options.partition ?? WHOLE_LOG;
    const tracks = (Array.isArray(which) ? which : [which as Projection]).map((projection) => this.rebuildTrack(projection, partition));
    for (const { projection, lanes } of tracks) {
      await ensureCheckpoint(this.knex, projection.name);
      await prepareShadow(this.knex, projection, lanes[0]!.count);
    }
    const started = performance.now();
    let processed = 0;
    const onBatch = async (count: number) => {
      processed += count;
      const seconds = (performance.now() - started) / 1000;
      await onProgress?.({ processed, eventsPerSecond: seconds > 0 ? processed / seconds : 0 });
    };
    const eventTypes = [...new Set(tracks.flatMap((t) => [...t.projection.eventTypes]))];
    // Catch up with a head that moves on while we project; swap once nearly there.
    for (let round = 0; round < 10; round++) {
      const head = await this.eventStore.headPosition({ eventTypes });
      if (!head || !(await this.loadTracks(tracks, eventTypes, head, onBatch))) break;
    }
    let swapped = true;
    for (const { projection, lanes } of tracks) {
      let swappedThis = false;
      for (const lane of lanes) swappedThis = (await finishShadow(this.knex, projection, lane)) || swappedThis;
      if (!swappedThis) {
        swapped = false;
        continue;
      }
      this.committedHere.delete(projection.name);
      this.committed.emit("batch");
      await this.catchUpTarget(projection, liveTarget(projection), this.batchSize);
    }
    return swapped;
  }

  /**
   * How a rebuild writes a projection: lane j of partition k of n is partition k + n·j of
   * n·lanes (its streams are k's: hash mod n = k), each with a shadow checkpoint of its own.
   */
  private rebuildTrack(projection: Projection, partition: Partition): Track {
    if (partition.count > 1 && !projection.perStream) throw new Error(`${projection.name} is not a per-stream projection: it cannot be rebuilt in partitions`);
    const count = projection.perStream ? this.rebuildLanes : 1;
    const lanes = Array.from({ length: count }, (_, j): Partition => ({ index: partition.index + partition.count * j, count: partition.count * count }));
    return { projection, lanes, targets: lanes.map((lane) => shadowTarget(projection, lane)) };
  }

  /**
   * A rebuild's load up to `until`: one read of the log, each batch split by projection and
   * lane (stream partition) and committed in a transaction per lane, the lanes at once, each
   * with its own shadow checkpoint; a lane may be one batch ahead of the slowest. After a
   * crash between those commits each lane skips what it has. Returns false when every lane
   * was there already.
   */
  private async loadTracks(tracks: readonly Track[], eventTypes: readonly string[], until: GlobalPosition, onBatch: (events: number) => Promise<void>): Promise<boolean> {
    const signal = this.controller.signal;
    while (true) {
      const names = tracks.flatMap((t) => t.targets.map((target) => target.checkpoint));
      const stored = await readCheckpoints(this.knex, names);
      const from = new Map(names.map((name) => [name, stored.get(name)?.position ?? null]));
      const start = leastOf([...from.values()]);
      if (start && comparePositions(start, until) >= 0) return false;
      const local = new AbortController();
      const stop = () => local.abort();
      signal.addEventListener("abort", stop, { once: true });
      // Each lane commits its batches in order, and starts on the next batch while slower lanes
      // still commit this one: a batch's tail (one lane's large write on the server) overlaps
      // with the next batch's folding in this process.
      const laneTails = new Map<string, Promise<number>>();
      const inFlight: Promise<PromiseSettledResult<number>[]>[] = [];
      const settleOldest = async () => {
        const settled = await inFlight.shift()!;
        const failed = settled.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
        this.committed.emit("batch");
        await onBatch(settled.reduce((n, r) => n + (r.status === "fulfilled" ? r.value : 0), 0));
      };
      try {
        // Narrowed values are written by reference to the log: only where it is in this database.
        const narrow = this.eventStore.logTable ? sharedNarrowings(tracks.map((t) => t.projection), eventTypes) : [];
        const source = this.eventStore.subscribeToAll({
          ...(start ? { after: start } : {}),
          signal: local.signal,
          eventTypes: [...eventTypes],
          pageSize: Math.ceil(this.rebuildBatchSize / READ_PAGES_PER_BATCH),
          ...(narrow.length > 0 ? { narrow } : {}),
        });
        for await (const batch of inBatches(source, this.rebuildBatchSize)) {
          const position = batch.position;
          if (!position) continue;
          // Each event's stream hash once, not once for each lane it is sorted into.
          const hashes = batch.events.map((e) => streamHash(e.streamName));
          const writes = tracks.flatMap(({ projection, lanes, targets }) =>
            lanes.map((lane, i) => {
              const target = targets[i]!;
              const write = async () => {
                const laneFrom = from.get(target.checkpoint) ?? null;
                if (!after(position, laneFrom)) return 0;
                const events = batch.events.filter((e, k) => after(e.position, laneFrom) && projection.eventTypes.has(e.type) && hashInPartition(hashes[k]!, lane));
                await this.commitBatch(projection, target, laneFrom, position, events);
                from.set(target.checkpoint, position);
                return events.length;
              };
              // After the lane's previous batch; a failed one fails the rest of the lane unwritten.
              const tail = (laneTails.get(target.checkpoint) ?? Promise.resolve(0)).then(write);
              laneTails.set(target.checkpoint, tail);
              return tail;
            }),
          );
          inFlight.push(Promise.allSettled(writes));
          if (inFlight.length >= REBUILD_BATCHES_IN_FLIGHT) await settleOldest();
          if (comparePositions(position, until) >= 0) break;
        }
        while (inFlight.length > 0) await settleOldest();
        return true;
      } catch (err) {
        // Another runner moved a lane's checkpoint: start again from where the lanes are.
        if (!(err instanceof CheckpointMovedError) || signal.aborted) throw err;
      } finally {
        // Every lane's commit has ended (or failed) before anything reads the checkpoints again.
        await Promise.allSettled(inFlight);
        local.abort();
        signal.removeEventListener("abort", stop);
      }
    }
  }

  private async runLoop(projection: Projection): Promise<void> {
    const signal = this.controller.signal;
    const lock = this.options.leaderSession?.lock(projectionLockName(projection));
    try {
      while (!signal.aborted) {
        if (lock && !(await lock.tryAcquire())) {
          this.committedHere.delete(projection.name);
          await sleep(2000, signal);
          continue;
        }
        try {
          await this.followLive(projection, lock);
        } catch (err) {
          this.committedHere.delete(projection.name);
          // Fell behind the shared reader, or another runner moved the checkpoint: catch up again.
          if (err instanceof FeedOverflowError || err instanceof CheckpointMovedError) continue;
          this.options.onError?.(projection.name, err);
          // For every process to see (metrics, `projections status`); the database may be what failed.
          await recordFailure(this.knex, projection.name, err).catch(() => undefined);
          await sleep(1000, signal);
        }
      }
    } finally {
      await lock?.release();
    }
  }

  /**
   * Attaches to the shared reader first, then catches up on a read of its own with every
   * event of its types there is: those the feed does not hold all lie before that point.
   */
  private async followLive(projection: Projection, lock: LeaderLock | undefined): Promise<void> {
    const feed = this.reader.attach(projection.eventTypes, this.options.feedLimit ?? this.batchSize * 8);
    try {
      const common = { projection, target: liveTarget(projection), signal: this.controller.signal, batchSize: this.batchSize, ...(lock ? { lock } : {}) };
      const until = await this.eventStore.headPosition({ eventTypes: [...projection.eventTypes] });
      if (until) await this.followUntil({ ...common, until });
      if (lock && !lock.isHeld) return;
      await this.followFromCheckpoint({ ...common, until: null, feed, caughtUpTo: until });
    } finally {
      feed.close();
    }
  }

  /**
   * Follows its own read of the log from the stored checkpoint until `until` is passed. When
   * another runner (a second process, a CLI catch-up, a rebuild) moves the checkpoint, it
   * starts again from where that one got to.
   */
  private async followUntil(follow: Follow & { readonly until: GlobalPosition }): Promise<void> {
    while (true) {
      try {
        return await this.followFromCheckpoint(follow);
      } catch (err) {
        if (!(err instanceof CheckpointMovedError) || follow.signal.aborted) throw err;
      }
    }
  }

  private async followFromCheckpoint(follow: Follow): Promise<void> {
    const { projection, target, until, signal, batchSize, lock, feed } = follow;
    const stored = await readCheckpoint(this.knex, target.checkpoint);
    let from = stored?.position ?? null;
    if (until && from && comparePositions(from, until) >= 0) return;
    // Going on with the feed skips what lies between the checkpoint and the feed's start: safe
    // only if no event of its types is there. A rebuild's swap can move the checkpoint back.
    if (feed?.after && after(feed.after, from)) {
      if (follow.caughtUpTo && after(follow.caughtUpTo, from)) throw new CheckpointMovedError();
      await this.commitBatch(projection, target, from, feed.after, []);
      from = feed.after;
      this.committed.emit("batch");
    }
    const local = new AbortController();
    const stop = () => local.abort();
    signal.addEventListener("abort", stop, { once: true });
    try {
      const source =
        feed ??
        this.eventStore.subscribeToAll({ ...(from ? { after: from } : {}), signal: local.signal, eventTypes: [...projection.eventTypes], pageSize: batchSize });
      for await (const batch of inBatches(source, batchSize)) {
        if (lock && !lock.isHeld) return;
        // The shared feed may still hold what this projection read on its own.
        if (!batch.position || !after(batch.position, from)) continue;
        const events = batch.events.filter((e) => after(e.position, from));
        await this.commitBatch(projection, target, from, batch.position, events);
        from = batch.position;
        this.committed.emit("batch");
        if (until && comparePositions(from, until) >= 0) return;
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
    events: readonly RecordedEvent[],
  ): Promise<void> {
    const live = target.checkpoint === projection.name;
    await this.knex.transaction(async (trx) => {
      const current = await lockCheckpoint(trx, target.checkpoint, { search_path: target.searchPath, synchronous_commit: "off" });
      if (!samePosition(current.position, from)) {
        if (live) this.committedHere.delete(projection.name);
        throw new CheckpointMovedError();
      }
      if (this.eventStore.logTable) readLogFrom(trx, this.eventStore.logTable);
      // Each projected event continues the trace of the command that recorded it.
      if (events.length > 0) await withEventSpans(`project ${projection.name}`, events, { "ssltrackr.projection": projection.name }, () => projection.applyBatch(trx, events));
      await saveCheckpoint(trx, target.checkpoint, to, events.length);
    });
    if (live) this.committedHere.set(projection.name, to);
    const last = events.at(-1);
    if (last) serviceMetrics().projectionLag.record((Date.now() - last.createdAt.getTime()) / 1000, { projection: projection.name });
  }
}
