import { expect } from "chai";
import {
  ABANDONED_RESERVATION_MS,
  ALREADY_MONITORED,
  reservationDecider,
  reservationStream,
  reservationStreamName,
  type HolderStatus,
  type ReservationCommand,
} from "../../src/domains/hostnameReservation.js";
import { ConflictError } from "../../src/shared/errors.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(reservationDecider);

const holder = "7c1d3f5e-0a2b-4c6d-8e9f-000000000001";
const newcomer = "7c1d3f5e-0a2b-4c6d-8e9f-000000000002";
const reservedAt = new Date("2026-02-01T12:00:00.000Z");
const after = (ms: number) => new Date(reservedAt.getTime() + ms);

type Reservation = ReturnType<typeof reservationDecider.decide>[number];
const reserved = (domainId: string, at = reservedAt): Reservation => ({
  type: "HostnameReserved",
  data: { domainId, reservedAt: at.toISOString() },
});
const released = (domainId: string, at: Date): Reservation => ({
  type: "HostnameReleased",
  data: { domainId, releasedAt: at.toISOString() },
});
const reserve = (domainId: string, now: Date, knownHolder?: { domainId: string; status: HolderStatus }): ReservationCommand => ({
  type: "Reserve",
  domainId,
  now,
  ...(knownHolder ? { knownHolder } : {}),
});

describe("hostname reservation decider (unit)", () => {
  it("reserves a free hostname:port", () => {
    expect(given([]).when(reserve(newcomer, reservedAt))).to.deep.equal([reserved(newcomer)]);
  });

  it("re-reserving for the same domain is a no-op (a retried create)", () => {
    expect(given([reserved(holder)]).when(reserve(holder, after(1000)))).to.deep.equal([]);
  });

  it("refuses a hostname held by another domain with 'already being monitored'", () => {
    expect(() => given([reserved(holder)]).when(reserve(newcomer, after(1000)))).to.throw(ConflictError, ALREADY_MONITORED);
  });

  it("refuses when the holder's domain is known to be monitored, however old the reservation", () => {
    const cmd = reserve(newcomer, after(365 * 86_400_000), { domainId: holder, status: "monitored" });
    expect(() => given([reserved(holder)]).when(cmd)).to.throw(ConflictError, ALREADY_MONITORED);
  });

  it("takes over from a holder whose domain was removed (its release never happened)", () => {
    const cmd = reserve(newcomer, after(1000), { domainId: holder, status: "removed" });
    expect(given([reserved(holder)]).when(cmd)).to.deep.equal([reserved(newcomer, after(1000))]);
  });

  describe("abandoned reservations (the creator crashed before its domain stream appeared)", () => {
    it("are still held up to 60 seconds after reserving", () => {
      for (const age of [0, 30_000, ABANDONED_RESERVATION_MS]) {
        const cmd = reserve(newcomer, after(age), { domainId: holder, status: "absent" });
        expect(() => given([reserved(holder)]).when(cmd), `age ${age}`).to.throw(ConflictError, ALREADY_MONITORED);
      }
    });

    it("are released to a newcomer once older than 60 seconds", () => {
      expect(ABANDONED_RESERVATION_MS).to.equal(60_000);
      const now = after(ABANDONED_RESERVATION_MS + 1);
      const cmd = reserve(newcomer, now, { domainId: holder, status: "absent" });
      expect(given([reserved(holder)]).when(cmd)).to.deep.equal([reserved(newcomer, now)]);
    });

    it("include a holder that has moved to another hostname:port (its release never happened), after the same 60 seconds", () => {
      const within = reserve(newcomer, after(ABANDONED_RESERVATION_MS), { domainId: holder, status: "moved" });
      expect(() => given([reserved(holder)]).when(within)).to.throw(ConflictError, ALREADY_MONITORED);
      const now = after(ABANDONED_RESERVATION_MS + 1);
      const later = reserve(newcomer, now, { domainId: holder, status: "moved" });
      expect(given([reserved(holder)]).when(later)).to.deep.equal([reserved(newcomer, now)]);
    });

    it("are not released on knowledge about a different, earlier holder", () => {
      const later = "7c1d3f5e-0a2b-4c6d-8e9f-000000000003";
      const events = [reserved(holder), released(holder, after(1)), reserved(later, after(2))];
      for (const status of ["absent", "moved", "removed"] as const) {
        const cmd = reserve(newcomer, after(10 * ABANDONED_RESERVATION_MS), { domainId: holder, status });
        expect(() => given(events).when(cmd), status).to.throw(ConflictError, ALREADY_MONITORED);
      }
    });
  });

  describe("Release", () => {
    it("frees the hostname when its holder releases it", () => {
      expect(given([reserved(holder)]).when({ type: "Release", domainId: holder, now: after(5) })).to.deep.equal([
        released(holder, after(5)),
      ]);
    });

    it("is a no-op for a domain that is not the holder, or when already free", () => {
      expect(given([reserved(holder)]).when({ type: "Release", domainId: newcomer, now: after(5) })).to.deep.equal([]);
      expect(given([]).when({ type: "Release", domainId: holder, now: after(5) })).to.deep.equal([]);
      expect(given([reserved(holder), released(holder, after(1))]).when({ type: "Release", domainId: holder, now: after(5) })).to.deep.equal([]);
    });

    it("lets another domain reserve once released", () => {
      const events = [reserved(holder), released(holder, after(1))];
      expect(given(events).state).to.deep.equal({ status: "free" });
      expect(given(events).when(reserve(newcomer, after(2)))).to.deep.equal([reserved(newcomer, after(2))]);
    });
  });

  it("keys the reservation by user, canonical hostname and port", () => {
    const user = "5a3c1f7e-2d44-4b7a-8f11-0c9e8d7b6a01";
    expect(reservationStreamName(user, "example.com", 443)).to.equal(`hostname_reservation-${user}-example.com:443`);
    expect(reservationStreamName(user, "example.com", 8443)).to.not.equal(reservationStreamName(user, "example.com", 443));
  });

  it("its events survive encoding and decoding", () => {
    for (const event of [reserved(holder), released(holder, after(1))]) {
      const stored = reservationStream.codec.encode(event, "00000000-0000-4000-8000-000000000001", {});
      expect(reservationStream.codec.decode({ ...stored, metadata: stored.metadata ?? {} })).to.deep.equal(event);
    }
  });
});
