// Events are the permanent record: each type has a current schema version, and older
// stored shapes are upcast step by step when read. Writing always uses the newest version.
import type { z } from "zod";
import type { EventMetadata, EventToAppend, RecordedEvent } from "./eventStore.js";

/** Raises stored data of version `from` to version `from + 1`. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export interface EventDefinition<Type extends string, Schema extends z.ZodType> {
  readonly type: Type;
  readonly version: number;
  readonly schema: Schema;
  /** upcasters[v] turns version v into v + 1. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

export const defineEvent = <Type extends string, Schema extends z.ZodType>(
  definition: EventDefinition<Type, Schema>,
): EventDefinition<Type, Schema> => definition;

type AnyDefinition = EventDefinition<string, z.ZodType>;
export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? { type: T; data: z.infer<S> } : never;

export class UnknownEventError extends Error {}

export interface EventCodec<E extends { type: string; data: unknown }> {
  readonly types: ReadonlySet<string>;
  /** The current schema version of a type it knows (what encode writes). */
  versionOf(type: string): number | undefined;
  /** Null for event types this codec does not know (other concepts' events). */
  decode(recorded: Pick<RecordedEvent, "type" | "data" | "metadata">): E | null;
  /**
   * The stored data brought up to the current version, without validating it against the
   * schema: for projections, which read back (at tens of thousands of events a second) what
   * this service encoded; deciding, and anything reading foreign data, uses decode.
   */
  upcast(recorded: Pick<RecordedEvent, "type" | "data" | "metadata">): E | null;
  encode(event: E, id: string, metadata: EventMetadata): EventToAppend;
}

function upcastData(def: AnyDefinition, recorded: Pick<RecordedEvent, "data" | "metadata">): Record<string, unknown> {
  let data = recorded.data as Record<string, unknown>;
  const stored = typeof recorded.metadata.schemaVersion === "number" ? recorded.metadata.schemaVersion : 1;
  for (let v = stored; v < def.version; v++) {
    const up = def.upcasters?.[v];
    if (!up) throw new UnknownEventError(`No upcaster for ${def.type} v${v}`);
    data = up(data);
  }
  return data;
}

export function eventCodec<Defs extends readonly AnyDefinition[]>(
  definitions: Defs,
): EventCodec<EventOf<Defs[number]>> {
  const byType = new Map<string, AnyDefinition>(definitions.map((d) => [d.type, d]));
  return {
    types: new Set(byType.keys()),
    versionOf: (type) => byType.get(type)?.version,
    decode(recorded) {
      const def = byType.get(recorded.type);
      return def ? ({ type: def.type, data: def.schema.parse(upcastData(def, recorded)) } as EventOf<Defs[number]>) : null;
    },
    upcast(recorded) {
      const def = byType.get(recorded.type);
      return def ? ({ type: def.type, data: upcastData(def, recorded) } as EventOf<Defs[number]>) : null;
    },
    encode(event, id, metadata) {
      const def = byType.get(event.type);
      if (!def) throw new UnknownEventError(`Unknown event type ${event.type}`);
      return { id, type: event.type, data: event.data, metadata: { ...metadata, schemaVersion: def.version } };
    },
  };
}
