// A projection is declared as data: which events it reads (through a codec, so old event
// versions are upcast), which tables it owns, and how one event changes them. The generic
// runner owns subscriptions, batching, transactions and checkpoints.
import type { Knex } from "knex";
import type { EventCodec } from "../eventStore/eventCodec.js";
import type { RecordedEvent } from "../eventStore/eventStore.js";

export interface Projection {
  readonly name: string;
  /**
   * "read-your-writes": an API write waits for it (it backs GET endpoints). "eventual": for
   * analysts and reactions; writes never wait for it, so it can lag without slowing the API.
   */
  readonly consistency: "read-your-writes" | "eventual";
  /** The schema its tables live in; handlers name tables unqualified (search_path is set). */
  readonly schema: string;
  /** Tables this projection owns (unqualified): rebuilt into shadow copies and swapped in. */
  readonly tables: readonly string[];
  apply(trx: Knex.Transaction, recorded: RecordedEvent): Promise<void>;
}

export function defineProjection<E extends { type: string; data: unknown }>(definition: {
  readonly name: string;
  readonly consistency?: Projection["consistency"];
  readonly schema?: string;
  readonly tables: readonly string[];
  readonly codecs: readonly EventCodec<E>[];
  /** Must be idempotent: guard rows with the event's stream revision or position. */
  readonly handle: (trx: Knex.Transaction, event: E, recorded: RecordedEvent) => Promise<void>;
}): Projection {
  return {
    name: definition.name,
    consistency: definition.consistency ?? "read-your-writes",
    schema: definition.schema ?? "public",
    tables: definition.tables,
    async apply(trx, recorded) {
      for (const codec of definition.codecs) {
        if (!codec.types.has(recorded.type)) continue;
        const event = codec.decode(recorded);
        if (event) await definition.handle(trx, event, recorded);
        return;
      }
    },
  };
}
