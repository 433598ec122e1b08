// "A user cannot monitor the same hostname:port twice" is a rule across domain streams, so
// it gets its own tiny stream per (user, hostname, port). Reserving appends to it with the
// expected revision; of two concurrent creates exactly one wins, in either event store.
import { z } from "zod";
import { ConflictError } from "../shared/errors.js";
import { defineEvent, eventCodec, type EventOf } from "../infrastructure/eventStore/eventCodec.js";
import type { Decider } from "../infrastructure/commandHandling/decider.js";
import type { StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";

export const reservationStreamName = (userId: string, hostname: string, port: number): string =>
  `hostname_reservation-${userId}-${hostname}:${port}`;

/** A holder whose domain stream never appeared (its creator crashed) is released after this. */
export const ABANDONED_RESERVATION_MS = 60_000;

export const ALREADY_MONITORED = "This domain is already being monitored";

const HostnameReserved = defineEvent({
  type: "HostnameReserved",
  version: 1,
  schema: z.object({ domainId: z.uuid(), reservedAt: z.iso.datetime() }),
});
const HostnameReleased = defineEvent({
  type: "HostnameReleased",
  version: 1,
  schema: z.object({ domainId: z.uuid(), releasedAt: z.iso.datetime() }),
});

const definitions = [HostnameReserved, HostnameReleased] as const;
type ReservationEvent = EventOf<(typeof definitions)[number]>;

export type ReservationState =
  | { readonly status: "free" }
  | { readonly status: "held"; readonly domainId: string; readonly reservedAt: string };

/**
 * What the caller found out about the current holder's domain before reserving: monitored
 * at this hostname:port; "moved" - monitored at another one (its move never released this
 * one: a failure, or a race with another move); removed; or absent (never created).
 */
export type HolderStatus = "monitored" | "moved" | "removed" | "absent";

export type ReservationCommand =
  | {
      readonly type: "Reserve";
      readonly domainId: string;
      readonly now: Date;
      readonly knownHolder?: { readonly domainId: string; readonly status: HolderStatus };
    }
  | { readonly type: "Release"; readonly domainId: string; readonly now: Date };

const holderIsGone = (state: Extract<ReservationState, { status: "held" }>, command: Extract<ReservationCommand, { type: "Reserve" }>) => {
  const known = command.knownHolder;
  if (!known || known.domainId !== state.domainId) return false;
  if (known.status === "removed") return true;
  // An absent or moved holder may still be mid-create or mid-move: it gets time to finish.
  const stale = command.now.getTime() - Date.parse(state.reservedAt) > ABANDONED_RESERVATION_MS;
  return (known.status === "absent" || known.status === "moved") && stale;
};

export const reservationDecider: Decider<ReservationCommand, ReservationEvent, ReservationState> = {
  initialState: () => ({ status: "free" }),
  decide(command, state) {
    const at = command.now.toISOString();
    switch (command.type) {
      case "Reserve": {
        if (state.status === "held" && state.domainId === command.domainId) return [];
        if (state.status === "held" && !holderIsGone(state, command)) throw new ConflictError(ALREADY_MONITORED);
        return [{ type: "HostnameReserved", data: { domainId: command.domainId, reservedAt: at } }];
      }
      case "Release":
        if (state.status !== "held" || state.domainId !== command.domainId) return [];
        return [{ type: "HostnameReleased", data: { domainId: command.domainId, releasedAt: at } }];
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
  evolve(_state, event) {
    switch (event.type) {
      case "HostnameReserved":
        return { status: "held", domainId: event.data.domainId, reservedAt: event.data.reservedAt };
      case "HostnameReleased":
        return { status: "free" };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};

export const reservationStream: StreamDefinition<ReservationCommand, ReservationEvent, ReservationState> = {
  decider: reservationDecider,
  codec: eventCodec(definitions),
};
