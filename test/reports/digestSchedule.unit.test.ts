// When digests are due: local hours across time zones, daylight saving time, ISO weeks at the
// turn of the year, and a period still due after its hour passed unattended.
import { expect } from "chai";
import { digestPeriod, isoWeek, localTimeOf } from "../../src/reports/digestSchedule.js";

const daily = (hour: number) => ({ frequency: "daily" as const, weekday: 1, hour });
const weekly = (weekday: number, hour: number) => ({ frequency: "weekly" as const, weekday, hour });
const at = (iso: string) => new Date(iso);

describe("digest schedule (unit)", () => {
  it("a daily digest at 08:00 in Los Angeles is due from 16:00 UTC (PST), keyed by the local date", () => {
    expect(digestPeriod(daily(8), "America/Los_Angeles", at("2026-11-30T15:59:00Z"))).to.deep.equal({ key: "2026-11-30", due: false });
    expect(digestPeriod(daily(8), "America/Los_Angeles", at("2026-11-30T16:00:00Z"))).to.deep.equal({ key: "2026-11-30", due: true });
    // 07:00 UTC on Dec 1 is still Nov 30 in Los Angeles: the same period, already due.
    expect(digestPeriod(daily(8), "America/Los_Angeles", at("2026-12-01T07:00:00Z"))).to.deep.equal({ key: "2026-11-30", due: true });
    expect(digestPeriod(daily(8), "America/Los_Angeles", at("2026-12-01T08:00:00Z"))).to.deep.equal({ key: "2026-12-01", due: false });
  });

  it("across the date line: Auckland's Monday 09:00 is Sunday 20:00 UTC", () => {
    expect(digestPeriod(weekly(1, 9), "Pacific/Auckland", at("2026-11-29T19:59:00Z"))).to.deep.equal({ key: "2026-W49", due: false });
    expect(digestPeriod(weekly(1, 9), "Pacific/Auckland", at("2026-11-29T20:00:00Z"))).to.deep.equal({ key: "2026-W49", due: true });
    // In UTC it is still Sunday of the week before.
    expect(digestPeriod(weekly(1, 9), "UTC", at("2026-11-29T20:00:00Z"))).to.deep.equal({ key: "2026-W48", due: true });
  });

  it("a weekly digest stays due for the rest of its week, then the next week waits for its day", () => {
    const t = weekly(3, 10); // Wednesday 10:00
    expect(digestPeriod(t, "UTC", at("2026-12-01T23:00:00Z")).due, "Tuesday").to.equal(false);
    expect(digestPeriod(t, "UTC", at("2026-12-02T09:59:00Z")).due, "Wednesday 09:59").to.equal(false);
    expect(digestPeriod(t, "UTC", at("2026-12-02T10:00:00Z")).due, "Wednesday 10:00").to.equal(true);
    expect(digestPeriod(t, "UTC", at("2026-12-06T23:59:00Z")), "Sunday").to.deep.equal({ key: "2026-W49", due: true });
    expect(digestPeriod(t, "UTC", at("2026-12-07T00:00:00Z")), "next Monday").to.deep.equal({ key: "2026-W50", due: false });
  });

  it("when daylight saving time ends, the repeated hour is one period: one key for the day", () => {
    // Europe/Berlin, 2026-10-25: 02:00-03:00 local happens twice (00:00-02:00 UTC).
    const first = digestPeriod(daily(2), "Europe/Berlin", at("2026-10-25T00:30:00Z"));
    const second = digestPeriod(daily(2), "Europe/Berlin", at("2026-10-25T01:30:00Z"));
    expect(first).to.deep.equal({ key: "2026-10-25", due: true });
    expect(second).to.deep.equal(first);
  });

  it("when daylight saving time starts, a skipped hour is still reached: due from the next one", () => {
    // Europe/Berlin, 2026-03-29: 02:00 local does not exist (01:00 UTC is 03:00 CEST).
    expect(digestPeriod(daily(2), "Europe/Berlin", at("2026-03-29T00:59:00Z")).due).to.equal(false);
    expect(digestPeriod(daily(2), "Europe/Berlin", at("2026-03-29T01:00:00Z"))).to.deep.equal({ key: "2026-03-29", due: true });
  });

  it("ISO weeks at the turn of the year", () => {
    expect(isoWeek(2026, 12, 31)).to.equal("2026-W53");
    expect(isoWeek(2027, 1, 3)).to.equal("2026-W53");
    expect(isoWeek(2027, 1, 4)).to.equal("2027-W01");
    expect(isoWeek(2024, 12, 30)).to.equal("2025-W01");
    expect(isoWeek(2021, 1, 3)).to.equal("2020-W53");
  });

  it("reads local wall-clock time", () => {
    expect(localTimeOf(at("2026-07-01T12:00:00Z"), "Asia/Kolkata")).to.deep.equal({ year: 2026, month: 7, day: 1, hour: 17, weekday: 3 });
    expect(localTimeOf(at("2026-07-01T00:30:00Z"), "UTC").hour).to.equal(0);
  });
});
