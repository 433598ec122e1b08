// The one command handler: read the stream (from a snapshot when there is one), fold,
// decide, append with the expected revision, and hand back the position so the caller can
// wait for read models (read-your-writes). A concurrent writer makes it re-read and decide
// again, so business rules are always checked against the latest state.
import { randomUUID } from "node:crypto";
import type { EventCodec } from "../eventStore/eventCodec.js";
import {
  WrongExpectedVersionError,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
} from "../eventStore/eventStore.js";
import { fold, type Decider } from "./decider.js";
import { eventIdsFor } from "./idempotentIds.js";
import { written, type Written } from "./written.js";
import type { SnapshotStore } from "./snapshotStore.js";
import { currentTraceContext, withSpan } from "../telemetry/tracing.js";

export interface StreamDefinition<Command, Event extends { type: string; data: unknown }, State> {
  readonly decider: Decider<Command, Event, State>;
  readonly codec: EventCodec<Event>;
  /** Snapshot the state every `every` events; bump `stateVersion` when State's shape changes. */
  readonly snapshots?: { readonly every: number; readonly stateVersion: number };
}

export interface CommandResult<Event, State> {
  readonly events: Event[];
  readonly state: State;
  /** Where the events went and their types (for read-your-writes); null when the command decided nothing. */
  readonly position: Written | null;
}

const MAX_ATTEMPTS = 5;

/** A command decided on a new stream's initial state: one part of CommandHandler.appendNew. */
export interface DecidedAppend extends StreamAppend {
  readonly eventTypes: readonly string[];
}

export interface HandleOptions {
  /**
   * The stream is new, or most likely so (its name holds a fresh id, or names something rarely
   * written twice): decide on the initial state without reading it. If it exists after all,
   * the append fails on no_stream and the next attempt reads it as usual.
   */
  readonly newStream?: boolean;
  /** Append without waiting for the WAL flush (see AppendOptions.deferFlush for when that is safe). */
  readonly deferFlush?: boolean;
  /**
   * The ids of the events appended, by index, derived from what makes the command unique (a
   * check job's id), so `applied` recognises it; the Idempotency-Key's ids otherwise.
   */
  readonly eventIds?: (index: number) => string;
}

/** What an earlier run of a command appended: its events, and where they went. */
export interface Applied {
  readonly events: readonly RecordedEvent[];
  readonly position: Written;
}

export class CommandHandler {
  constructor(
    private readonly eventStore: EventStore,
    private readonly snapshots?: SnapshotStore,
  ) {}

  async handle<Command, Event extends { type: string; data: unknown }, State>(
    streamName: string,
    definition: StreamDefinition<Command, Event, State>,
    command: Command,
    metadata: EventMetadata,
    options: HandleOptions = {},
  ): Promise<CommandResult<Event, State>> {
    const type = (command as { type?: unknown }).type;
    return withSpan(`command ${typeof type === "string" ? type : "unknown"}`, { "ssltrackr.stream": streamName }, () =>
      // The events carry the command's trace context, so projectors and reactions continue it.
      this.decideAndAppend(streamName, definition, command, { ...metadata, ...currentTraceContext() }, options),
    );
  }

  private async decideAndAppend<Command, Event extends { type: string; data: unknown }, State>(
    streamName: string,
    definition: StreamDefinition<Command, Event, State>,
    command: Command,
    metadata: EventMetadata,
    options: HandleOptions,
  ): Promise<CommandResult<Event, State>> {
    const type = (command as { type?: unknown }).type;
    const derived = options.eventIds ?? eventIdsFor(metadata, streamName, typeof type === "string" ? type : "command");
    const idOf = derived ?? (() => randomUUID());
    if (derived) {
      // A retry (same Idempotency-Key, same check job) whose first attempt appended already:
      // its events are there under the same ids. Deciding again would act twice, or fail (a
      // second DomainRemoved is a 404), so answer with what the first attempt did.
      const applied = await this.applied(streamName, derived);
      if (applied) {
        const { state } = await this.load(streamName, definition);
        return { events: [], state, position: applied.position };
      }
    }
    for (let attempt = 1; ; attempt++) {
      const { state, revision, sinceSnapshot } =
        options.newStream && attempt === 1
          ? { state: definition.decider.initialState(), revision: null, sinceSnapshot: 0 }
          : await this.load(streamName, definition);
      const events = definition.decider.decide(command, state);
      const newState = fold(definition.decider, state, events);
      if (events.length === 0) return { events, state, position: null };
      try {
        const appended = await withSpan("eventstore.append", { "ssltrackr.stream": streamName, "ssltrackr.events": events.length }, () =>
          this.eventStore.appendToStream(
            streamName,
            events.map((e, index) => definition.codec.encode(e, idOf(index), metadata)),
            { expectedRevision: revision ?? "no_stream", ...(options.deferFlush ? { deferFlush: true } : {}) },
          ),
        );
        this.maybeSnapshot(streamName, definition, newState, appended.nextExpectedRevision, sinceSnapshot + events.length);
        return { events, state: newState, position: written(appended.position, events.map((e) => e.type), appended.upToDate) };
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /** The events an earlier append with these derived ids wrote to the stream, or null if none. */
  async applied(streamName: string, idOf: (index: number) => string): Promise<Applied | null> {
    const first = await this.eventStore.findEvent(streamName, idOf(0));
    if (!first) return null;
    // The earlier append: the events from its first on that carry its ids.
    const from = await this.eventStore.readStream(streamName, { fromRevision: first.revision, maxCount: 100 });
    const events = from.filter((e, index) => e.id === idOf(index));
    return { events, position: written(events.at(-1)?.position ?? first.position, events.map((e) => e.type)) };
  }

  /** Whether appendNew appends all its streams or none (else in order, stopping at a conflict). */
  get atomicMultiStreamAppends(): boolean {
    return this.eventStore.atomicMultiStreamAppends;
  }

  /**
   * Decides a command on the initial state of a stream expected to be new, without reading it,
   * for appendNew; null when it decides nothing. Event ids as handle() gives them, so a retry
   * that goes through handle() recognises them.
   */
  decideNew<Command, Event extends { type: string; data: unknown }, State>(
    streamName: string,
    definition: StreamDefinition<Command, Event, State>,
    command: Command,
    metadata: EventMetadata,
  ): DecidedAppend | null {
    const type = (command as { type?: unknown }).type;
    const traced = { ...metadata, ...currentTraceContext() };
    const idOf = eventIdsFor(traced, streamName, typeof type === "string" ? type : "command") ?? (() => randomUUID());
    const events = definition.decider.decide(command, definition.decider.initialState());
    if (events.length === 0) return null;
    return {
      streamName,
      events: events.map((e, index) => definition.codec.encode(e, idOf(index), traced)),
      expectedRevision: "no_stream",
      eventTypes: events.map((e) => e.type),
    };
  }

  /**
   * Runs `decide` (decideNew calls) in a span `command <name>`, so that the events carry its
   * trace context, and appends what it decided in one multi-stream append (one commit where
   * the store allows): where each went, in order. A stream that exists after all fails it with
   * StreamConflictsError naming it; its command is then for handle(), which reads the stream.
   */
  async appendNew(name: string, decide: () => readonly DecidedAppend[]): Promise<Written[]> {
    return withSpan(`command ${name}`, {}, async () => {
      const decided = decide();
      const events = decided.reduce((n, d) => n + d.events.length, 0);
      const results = await withSpan("eventstore.append", { "ssltrackr.streams": decided.length, "ssltrackr.events": events }, () =>
        this.eventStore.appendToStreams(decided.map(({ streamName, events, expectedRevision }) => ({ streamName, events, expectedRevision }))),
      );
      return results.map((r, i) => written(r.position, decided[i]!.eventTypes, r.upToDate));
    });
  }

  /** The current state of a stream, e.g. for queries that must use write-side rules. */
  async load<Event extends { type: string; data: unknown }, State>(
    streamName: string,
    definition: Pick<StreamDefinition<unknown, Event, State>, "decider" | "codec" | "snapshots">,
  ): Promise<{ state: State; revision: bigint | null; sinceSnapshot: number }> {
    const snap =
      definition.snapshots && this.snapshots
        ? await this.snapshots.load(streamName, definition.snapshots.stateVersion)
        : null;
    const recorded = await this.eventStore.readStream(
      streamName,
      snap ? { fromRevision: snap.revision + 1n } : {},
    );
    const decoded = recorded.flatMap((r) => {
      const e = definition.codec.decode(r);
      return e ? [e] : [];
    });
    const start = snap ? (snap.state as State) : definition.decider.initialState();
    const last = recorded.at(-1);
    return {
      state: fold(definition.decider, start, decoded),
      revision: last ? last.revision : (snap?.revision ?? null),
      sinceSnapshot: recorded.length,
    };
  }

  private maybeSnapshot<Event extends { type: string; data: unknown }, State>(
    streamName: string,
    definition: StreamDefinition<unknown, Event, State>,
    state: State,
    revision: bigint,
    eventsSinceSnapshot: number,
  ): void {
    const policy = definition.snapshots;
    if (!policy || !this.snapshots || eventsSinceSnapshot < policy.every) return;
    // Off the command's path: a failed snapshot only means a longer read next time.
    this.snapshots.save(streamName, policy.stateVersion, { revision, state }).catch(() => undefined);
  }
}
