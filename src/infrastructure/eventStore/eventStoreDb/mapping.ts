// Translation between the event store port and @eventstore/db-client's types.
import {
  ANY,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError as ClientUnavailableError,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError as ClientWrongExpectedVersionError,
  jsonEvent,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from "@eventstore/db-client";
import {
  APPEND_OUTCOME_UNKNOWN,
  WrongExpectedVersionError,
  type EventMetadata,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalPosition,
  type RecordedEvent,
} from "../eventStore.js";
import { UnavailableError } from "../../../shared/errors.js";
import { DATABASE_RETRY_AFTER_SECONDS } from "../../postgres/connectionFailure.js";

export function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case "any":
      return ANY;
    case "no_stream":
      return NO_STREAM;
    case "stream_exists":
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

export const toEventData = (event: EventToAppend): EventData =>
  jsonEvent({
    id: event.id,
    type: event.type,
    // Serialised with JSON.stringify, so any JSON value goes through.
    data: event.data as JSONType,
    metadata: event.metadata,
  });

/** EventStoreDB's own events ($metadata, $statsCollected, link events "$>", ...). */
export const isSystemEvent = (type: string): boolean => type.startsWith("$");

export const toGlobalPosition = (position: Position): GlobalPosition => ({
  commit: position.commit,
  prepare: position.prepare,
});

const isPlainObject = (value: unknown): value is EventMetadata =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** The recorded event, or undefined for a link whose target is gone. */
export function toRecordedEvent({ event }: ResolvedEvent): RecordedEvent | undefined {
  if (!event) return undefined;
  if (!event.position) throw new Error(`EventStoreDB returned event ${event.id} without a position`);
  return {
    id: event.id,
    type: event.type,
    streamName: event.streamId,
    revision: event.revision,
    position: toGlobalPosition(event.position),
    data: event.data,
    metadata: isPlainObject(event.metadata) ? event.metadata : {},
    createdAt: event.created,
  };
}

/** The port's WrongExpectedVersionError for the client's, anything else unchanged. */
/**
 * The client's errors for a server it cannot reach, that did not answer in time, or that went
 * away mid-call (we never cancel a call ourselves, so CANCELLED means the connection died).
 */
const unreachable = (err: unknown): boolean =>
  err instanceof ClientUnavailableError ||
  err instanceof DeadlineExceededError ||
  err instanceof TimeoutError ||
  err instanceof NotLeaderError ||
  err instanceof CancelledError;

/** A read the server could not serve now: a 503, not a 500. */
export const toReadError = (err: unknown): unknown =>
  unreachable(err) ? new UnavailableError("The event store is unavailable; try again shortly", DATABASE_RETRY_AFTER_SECONDS) : err;

export function toPortError(err: unknown, streamName: string, expected: ExpectedRevision): unknown {
  if (unreachable(err)) return new UnavailableError(APPEND_OUTCOME_UNKNOWN, DATABASE_RETRY_AFTER_SECONDS);
  if (!(err instanceof ClientWrongExpectedVersionError)) return err;
  // -1 is the server's internal spelling of "no stream"; older error encodings can leak it.
  const actual = err.actualVersion === NO_STREAM || err.actualVersion < 0n ? "no_stream" : err.actualVersion;
  return new WrongExpectedVersionError(streamName, expected, actual);
}
