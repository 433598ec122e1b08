// Ids derived from a request's Idempotency-Key: a retry of the request computes the same ids
// for what it creates and for the events it appends, so the write model itself recognises a
// write that already happened (the event store keeps event ids unique), even when the answer
// to the first attempt was lost. Without a key, ids are random.
import { createHash, randomUUID } from "node:crypto";

export interface IdempotencyScope {
  readonly userId?: string;
  readonly idempotencyKey?: string;
}

/** A UUID (RFC 9562 version 8: name-based, SHA-256) from the user, the key and `parts`. */
export function derivedId(scope: Required<IdempotencyScope>, ...parts: readonly string[]): string {
  const hash = createHash("sha256").update([scope.userId, scope.idempotencyKey, ...parts].join("\u0000")).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const keyed = (scope: IdempotencyScope): scope is Required<IdempotencyScope> =>
  scope.userId !== undefined && scope.idempotencyKey !== undefined;

/** The id of a new entity (`kind`: "domain", "webhook"...) created by the request. */
export const newEntityId = (scope: IdempotencyScope, kind: string): string => (keyed(scope) ? derivedId(scope, "entity", kind) : randomUUID());

/**
 * Event ids for one append of a command, or undefined without a key (random ids then).
 * `index` numbers the events of the append.
 */
export const eventIdsFor = (scope: IdempotencyScope, streamName: string, commandType: string) =>
  keyed(scope) ? (index: number) => derivedId(scope, "event", streamName, commandType, String(index)) : undefined;

/**
 * Event ids for the one append a unit of work makes, derived from its own id (a check job's):
 * a retry of the work finds what an earlier attempt appended (CommandHandler.applied).
 */
export const workEventIds =
  (workId: string, streamName: string) =>
  (index: number): string =>
    derivedId({ userId: "work", idempotencyKey: workId }, "event", streamName, String(index));
