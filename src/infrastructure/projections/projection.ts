// A projection is declared as data: which event types it handles (decoded through a codec, so
// old event versions are upcast), which tables it owns, and how a batch of events changes
// them. The generic runner owns reading, batching, transactions and checkpoints; it hands a
// projection only events of its declared types, and never decodes the others.
import type { Knex } from "knex";
import type { EventCodec } from "../eventStore/eventCodec.js";
import type { Narrowing, RecordedEvent } from "../eventStore/eventStore.js";

export interface Projection {
  readonly name: string;
  /**
   * "read-your-writes": an API write that appends one of its event types waits for it (it
   * backs GET endpoints). "eventual": for analysts and reactions; writes never wait for it.
   */
  readonly consistency: "read-your-writes" | "eventual";
  /** The schema its tables live in; handlers name tables unqualified (search_path is set). */
  readonly schema: string;
  /** Tables this projection owns (unqualified): rebuilt into shadow copies and swapped in. */
  readonly tables: readonly string[];
  /** The event types it handles; readers skip the others without decoding them. */
  readonly eventTypes: ReadonlySet<string>;
  /**
   * Of those, the types whose writes wait for it (read-your-writes): by default all. A type it
   * reads only to follow along (notification routing reads domain events for tags and mutes,
   * which no response shows) need not hold up the writes of that type.
   */
  readonly awaitedTypes: ReadonlySet<string>;
  /**
   * Each row depends only on the events of one stream, so a rebuild can be split across
   * processes by stream hash (docs/decisions.md).
   */
  readonly perStream: boolean;
  /**
   * Applies a batch of events of its types, in log order, inside `trx` (which also moves its
   * checkpoint). Must be idempotent: a replayed batch, or a replayed prefix of one, changes
   * nothing (guard rows with the stream revision, or key them by event-derived ids).
   */
  applyBatch(trx: Knex.Transaction, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Inline projection (PostgreSQL store, inlineProjections.ts): applies the events of one append
   * inside the append's own transaction, so the write's response need not wait for the runner.
   * Resolves true when its tables then reflect them, false when it cannot be sure (a row the
   * runner has not caught up with yet): that write then waits for the runner as usual. The
   * runner applies the same events again later, which the guards make harmless.
   */
  readonly applyInline?: (trx: Knex.Transaction, events: readonly RecordedEvent[]) => Promise<boolean>;
  /**
   * Types of which it reads only some members of one member (Narrowing): a rebuild's read may
   * then send less (only if every projection it reads that type for narrows it alike). Its
   * folds must take whole events as well; what they store whole goes by reference
   * (StoredMember), which is what makes a narrowed value safe to hold.
   */
  readonly narrowings: ReadonlyMap<string, Narrowing>;
}

/** An event as the projection sees it: decoded (upcast) beside its record in the log. */
export interface Decoded<E> {
  readonly event: E;
  readonly recorded: RecordedEvent;
}

// The live reader fans one record out to every projection that wants it: decode it once per
// codec, not once per projection.
const decodedOnce = new WeakMap<RecordedEvent, Map<EventCodec<never>, unknown>>();

function decode<E extends { type: string; data: unknown }>(codec: EventCodec<E>, recorded: RecordedEvent): E | null {
  let byCodec = decodedOnce.get(recorded);
  if (!byCodec) decodedOnce.set(recorded, (byCodec = new Map()));
  const key = codec as unknown as EventCodec<never>;
  // Upcast without validating: the log holds what this service's deciders wrote (issue 12:
  // validating every stored SSL result again cost more than projecting it).
  if (!byCodec.has(key)) byCodec.set(key, codec.upcast(recorded));
  return byCodec.get(key) as E | null;
}

export function defineProjection<E extends { type: string; data: unknown }, T extends E["type"]>(definition: {
  readonly name: string;
  readonly consistency?: Projection["consistency"];
  readonly schema?: string;
  readonly tables: readonly string[];
  readonly codec: EventCodec<E>;
  /** The event types it handles (a subset of the codec's). */
  readonly eventTypes: readonly T[];
  /** See Projection.awaitedTypes (a subset of eventTypes); default: eventTypes. */
  readonly awaitedTypes?: readonly T[];
  readonly perStream?: boolean;
  /** See Projection.applyBatch; gets only events of `eventTypes`, decoded. */
  readonly applyBatch: (trx: Knex.Transaction, events: readonly Decoded<Extract<E, { type: T }>>[]) => Promise<void>;
  /** See Projection.applyInline; gets only events of `eventTypes`, decoded (at least one). */
  readonly applyInline?: (trx: Knex.Transaction, events: readonly Decoded<Extract<E, { type: T }>>[]) => Promise<boolean>;
  /** See Projection.narrowings: per type, the member and which of its members it reads. */
  readonly narrows?: Partial<Record<T, { readonly member: string; readonly keep: readonly string[] }>>;
}): Projection {
  const eventTypes = new Set<string>(definition.eventTypes);
  for (const type of eventTypes) {
    if (!definition.codec.types.has(type)) throw new Error(`projection ${definition.name}: its codec does not know ${type}`);
  }
  const decoded = (records: readonly RecordedEvent[]) => {
    const events: Decoded<Extract<E, { type: T }>>[] = [];
    for (const recorded of records) {
      if (!eventTypes.has(recorded.type)) continue;
      const event = decode(definition.codec, recorded);
      if (event) events.push({ event: event as Extract<E, { type: T }>, recorded });
    }
    return events;
  };
  const { applyInline } = definition;
  return {
    name: definition.name,
    consistency: definition.consistency ?? "read-your-writes",
    schema: definition.schema ?? "public",
    tables: definition.tables,
    eventTypes,
    awaitedTypes: definition.awaitedTypes ? new Set<string>(definition.awaitedTypes) : eventTypes,
    perStream: definition.perStream ?? false,
    narrowings: narrowingsOf(definition.codec, definition.narrows ?? {}),
    async applyBatch(trx, records) {
      const events = decoded(records);
      if (events.length > 0) await definition.applyBatch(trx, events);
    },
    ...(applyInline && {
      async applyInline(trx: Knex.Transaction, records: readonly RecordedEvent[]) {
        const events = decoded(records);
        return events.length === 0 || (await applyInline(trx, events));
      },
    }),
  };
}

/** A projection's `narrows`, each at its type's current schema version (older events are read whole). */
function narrowingsOf(
  codec: Pick<EventCodec<never>, "versionOf">,
  narrows: Partial<Record<string, { readonly member: string; readonly keep: readonly string[] }>>,
): Map<string, Narrowing> {
  const narrowings = new Map<string, Narrowing>();
  for (const [type, n] of Object.entries(narrows)) {
    const schemaVersion = codec.versionOf(type);
    if (!n || schemaVersion === undefined) throw new Error(`narrows: its codec does not know ${type}`);
    narrowings.set(type, { type, schemaVersion, member: n.member, keep: n.keep });
  }
  return narrowings;
}

/**
 * What one read for several projections may narrow: a type only where every one of them that
 * reads it narrows the same member, keeping every member any of them reads.
 */
export function sharedNarrowings(projections: readonly Projection[], eventTypes: readonly string[]): Narrowing[] {
  const shared: Narrowing[] = [];
  for (const type of eventTypes) {
    const readers = projections.filter((p) => p.eventTypes.has(type));
    const narrowings = readers.map((p) => p.narrowings.get(type));
    const first = narrowings[0];
    if (!first || narrowings.some((n) => !n || n.member !== first.member || n.schemaVersion !== first.schemaVersion)) continue;
    shared.push({ ...first, keep: [...new Set(narrowings.flatMap((n) => n!.keep))] });
  }
  return shared;
}
