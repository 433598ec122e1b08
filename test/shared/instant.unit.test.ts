// Instants the service can store: RFC 3339 UTC within the years 0001-9999. Input outside them
// is refused at the edges; stored ones are read clamped; dates from outside are clamped.
import { expect } from "chai";
import { instantInput, isoInstant, storableInstant, storedInstant, utcDate } from "../../src/shared/instant.js";

describe("instants (unit)", () => {
  it("takes an instant with any offset at an edge as the same instant in UTC, within the years 0001-9999 only", () => {
    const input = instantInput();
    expect(input.parse("2026-12-02T10:00:00+01:00")).to.equal("2026-12-02T09:00:00.000Z");
    expect(input.parse("9999-12-31T23:59:59.999Z")).to.equal("9999-12-31T23:59:59.999Z");
    expect(input.parse("0001-01-01T00:00:00Z")).to.equal("0001-01-01T00:00:00.000Z");
    // Within the range as written, outside it in UTC: the offset carries them over an end.
    for (const outside of ["9999-12-31T23:59:59-05:00", "0001-01-01T00:30:00+01:00", "0000-01-01T00:00:00Z", "0000-12-31T23:59:59.999Z"]) {
      const parsed = input.safeParse(outside);
      expect(parsed.success, outside).to.equal(false);
      expect(parsed.error?.issues[0]?.message, outside).to.equal("must lie between 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z (UTC)");
    }
    for (const bad of ["+010000-01-01T00:00:00.000Z", "2026-12-02", "2026-13-01T00:00:00Z", ""]) expect(input.safeParse(bad).success, bad).to.equal(false);
  });

  it("reads a stored instant as written, and one stored outside the range as the nearest end of it", () => {
    expect(storedInstant.parse("2026-12-02T09:00:00Z")).to.equal("2026-12-02T09:00:00Z");
    expect(storedInstant.parse("+010000-01-01T04:59:59.000Z")).to.equal("9999-12-31T23:59:59.999Z");
    expect(storedInstant.parse("0000-01-01T00:00:00.000Z")).to.equal("0001-01-01T00:00:00.000Z");
    expect(storedInstant.parse("-000001-01-01T00:00:00.000Z")).to.equal("0001-01-01T00:00:00.000Z");
    expect(storedInstant.safeParse("not a date").success).to.equal(false);
    expect(storedInstant.nullable().parse(null)).to.equal(null);
    expect(storableInstant("2026-12-02T09:00:00Z")).to.equal("2026-12-02T09:00:00Z");
    expect(storableInstant("+010000-01-01T04:59:59.000Z")).to.equal("9999-12-31T23:59:59.999Z");
  });

  it("clamps a Date into the range, and refuses an invalid one", () => {
    expect(isoInstant(new Date("2026-12-02T09:00:00Z"))).to.equal("2026-12-02T09:00:00.000Z");
    expect(isoInstant(new Date(8.64e15))).to.equal("9999-12-31T23:59:59.999Z");
    expect(isoInstant(new Date(-8.64e15))).to.equal("0001-01-01T00:00:00.000Z");
    expect(() => isoInstant(new Date(Number.NaN))).to.throw(RangeError);
  });

  it("builds a UTC date of any year, the years 0-99 included (Date.UTC reads those as 1900-1999)", () => {
    expect(utcDate(50, 1, 1).toISOString()).to.equal("0050-01-01T00:00:00.000Z");
    expect(utcDate(2024, 2, 29, 23, 59, 58).toISOString()).to.equal("2024-02-29T23:59:58.000Z");
    expect(utcDate(0, 2, 29).toISOString()).to.equal("0000-02-29T00:00:00.000Z");
  });
});
