// What a write appended, as far as read-your-writes is concerned: the position of its last
// event, and the types of its events, which decide the projections a response waits for
// (ProjectionRunner.waitFor). A plain GlobalPosition with the types beside it, so code that
// only compares positions takes it as it is.
import { comparePositions, type GlobalPosition } from "../eventStore/eventStore.js";

export interface Written extends GlobalPosition {
  /** Types of the events written (any order, no duplicates needed). */
  readonly eventTypes: readonly string[];
  /** Projections already showing the write (AppendResult.upToDate): nothing to wait for there. */
  readonly upToDate: readonly string[];
}

export const written = (position: GlobalPosition, eventTypes: Iterable<string>, upToDate: readonly string[] = []): Written => ({
  commit: position.commit,
  prepare: position.prepare,
  eventTypes: [...new Set(eventTypes)],
  upToDate,
});

/**
 * Several writes as one: the latest position, every type, and the projections up to date with
 * all of them. Null when nothing was written.
 */
export function combineWritten(...writes: (Written | null | undefined)[]): Written | null {
  const done = writes.filter((w): w is Written => !!w);
  const last = done.reduce<Written | null>((a, b) => (!a || comparePositions(b, a) > 0 ? b : a), null);
  const upToDate = done.reduce<readonly string[]>((names, w, i) => (i === 0 ? w.upToDate : names.filter((n) => w.upToDate.includes(n))), []);
  return last && written(last, done.flatMap((w) => w.eventTypes), upToDate);
}
