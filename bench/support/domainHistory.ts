// Domain streams as the product writes them: every event comes out of the real deciders
// (AddDomain, then SSL and registration checks every 12 h with fixture results), so alerts
// are raised exactly where the alert policy raises them. Seeding appends these events
// straight to the event store, in bulk; the read models are then built by the projectors.
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { domainStream, type DomainStreamCommand, type DomainStreamEvent, type DomainStreamState } from "../../src/domains/domainStream.js";
import { domainStreamName } from "../../src/domains/events.js";
import { fold } from "../../src/infrastructure/commandHandling/decider.js";
import type { EventStore, EventToAppend } from "../../src/infrastructure/eventStore/eventStore.js";
import { DEFAULT_ALERT_SETTINGS } from "../../src/monitoring/alertSettings.js";
import { DAY_MS } from "../../src/shared/clock.js";
import { registrationCheckFailed, registrationCheckOk, sslCheckFailed, sslCheckOk } from "../../test/support/checkFixtures.js";

export interface DomainSpec {
  readonly userId: string;
  readonly hostname: string;
  /** Events to produce at least (the history stops after the command that reaches it). */
  readonly events: number;
  /** Days of certificate validity left at the first check; it counts down 0.5 a check. */
  readonly certDays: number;
  readonly start: Date;
}

export interface DomainHistory {
  readonly domainId: string;
  readonly streamName: string;
  readonly events: DomainStreamEvent[];
}

const HALF_DAY_MS = DAY_MS / 2;

export function domainHistory(spec: DomainSpec): DomainHistory {
  const domainId = randomUUID();
  const events: DomainStreamEvent[] = [];
  let state: DomainStreamState = domainStream.decider.initialState();
  const run = (command: DomainStreamCommand) => {
    const decided = domainStream.decider.decide(command, state);
    state = fold(domainStream.decider, state, decided);
    events.push(...decided);
  };
  run({ type: "AddDomain", domainId, userId: spec.userId, hostname: spec.hostname, port: 443, notes: null, tags: ["bench"], now: spec.start });
  for (let check = 1; events.length < spec.events; check++) {
    const now = new Date(spec.start.getTime() + check * HALF_DAY_MS);
    // Every third check is a registration check; one in 25 checks fails (and so, repeated,
    // raises check_failed alerts); certificates run out, raising expiry alerts.
    const fails = check % 25 === 0;
    const envelope = { checkId: randomUUID(), trigger: "scheduled" as const, settings: DEFAULT_ALERT_SETTINGS, now };
    const target = { hostname: spec.hostname, now };
    if (check % 3 === 0) {
      run({ type: "RecordWhoisCheck", ...envelope, result: fails ? registrationCheckFailed(target) : registrationCheckOk(target) });
    } else {
      const validTo = new Date(spec.start.getTime() + spec.certDays * DAY_MS).toISOString();
      const daysLeft = Math.floor((Date.parse(validTo) - now.getTime()) / DAY_MS);
      const ok = sslCheckOk(target);
      run({
        type: "RecordSslCheck",
        ...envelope,
        result: fails
          ? sslCheckFailed(target)
          : { ...ok, valid_to: validTo, days_remaining: daysLeft, earliest_expiry: { ...ok.earliest_expiry, valid_to: validTo, days_remaining: daysLeft } },
      });
    }
  }
  return { domainId, streamName: domainStreamName(domainId), events };
}

export const encodeAll = (events: readonly DomainStreamEvent[]): EventToAppend[] =>
  events.map((e) => domainStream.codec.encode(e, randomUUID(), { correlationId: "bench" }));

/**
 * Appends each history as one stream, `concurrency` streams at a time, in appends of at most
 * `perAppend` events. Histories are generated lazily so a million events never sit in memory.
 */
export async function appendHistories(
  store: EventStore,
  count: number,
  concurrency: number,
  history: (index: number) => DomainHistory,
  perAppend = 100,
): Promise<number> {
  let next = 0;
  let appended = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const h = history(next++);
        const encoded = encodeAll(h.events);
        for (let i = 0; i < encoded.length; i += perAppend) {
          await store.appendToStream(h.streamName, encoded.slice(i, i + perAppend), {
            expectedRevision: i === 0 ? "no_stream" : BigInt(i - 1),
          });
        }
        appended += encoded.length;
      }
    }),
  );
  return appended;
}

/** A COPY text-format field: JSON escapes every control character, so only `\` needs doubling. */
const copyField = (text: string) => text.replaceAll("\\", "\\\\");

/**
 * Writes the same events `appendHistories` would, straight into the PostgreSQL event store's
 * tables with COPY: each history as one stream of consecutive positions (as one append of it
 * would lay it out), its head row in `streams`, the same encoding and metadata. Streams are
 * written `perCopy` at a time, one transaction each, on `connections` connections at once;
 * the rows are those of appends (the append function's checks are skipped: every stream is new).
 */
export async function copyHistories(
  pool: pg.Pool,
  schema: string,
  count: number,
  history: (index: number) => DomainHistory,
  { perCopy = 500, connections = 2 } = {},
): Promise<number> {
  let next = 0;
  let copied = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await pool.connect();
      try {
        while (next < count) {
          const first = next;
          next = Math.min(count, next + perCopy);
          const events: string[] = [];
          const heads: string[] = [];
          let written = 0;
          for (let i = first; i < next; i++) {
            const h = history(i);
            const rows = encodeAll(h.events).map(
              (e, revision) => `${h.streamName}\t${revision}\t${e.id}\t${e.type}\t${copyField(JSON.stringify(e.data))}\t${copyField(JSON.stringify(e.metadata ?? {}))}\n`,
            );
            events.push(rows.join(""));
            written += rows.length;
            heads.push(`${h.streamName}\t${h.events.length - 1}\n`);
          }
          await client.query("begin");
          await pipeline(Readable.from(heads), client.query(copyFrom(`copy ${schema}.streams (stream_name, revision) from stdin`)));
          await pipeline(Readable.from(events), client.query(copyFrom(`copy ${schema}.events (stream_name, revision, event_id, event_type, data, metadata) from stdin`)));
          await client.query("commit");
          copied += written;
        }
      } catch (err) {
        await client.query("rollback").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    }),
  );
  return copied;
}
