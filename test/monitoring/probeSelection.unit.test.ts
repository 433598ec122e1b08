import { expect } from "chai";
import { expiryCheckBasis, gradedAt } from "../../src/monitoring/probeSelection.js";
import { sslCheckOk } from "../support/checkFixtures.js";

const HOUR = 3_600_000;
const WEEK = 168 * HOUR;
const T0 = new Date("2030-01-01T00:00:00Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

describe("Probe selection: expiry check or full probe (unit)", () => {
  const lastFull = sslCheckOk({ hostname: "example.com", now: T0 }, { probe: "full", graded_at: T0.toISOString() });

  it("runs an expiry check on schedule while the last full probe is younger than the full-probe interval", () => {
    expect(expiryCheckBasis("scheduled", lastFull, later(12 * HOUR), WEEK)).to.equal(lastFull);
    expect(expiryCheckBasis("scheduled", lastFull, later(WEEK - 1), WEEK)).to.equal(lastFull);
  });

  it("runs a full probe once the last one is as old as the interval", () => {
    expect(expiryCheckBasis("scheduled", lastFull, later(WEEK), WEEK)).to.equal(undefined);
  });

  it("runs a full probe on the first check, for POST /check and for a domain just added", () => {
    expect(expiryCheckBasis("scheduled", null, T0, WEEK)).to.equal(undefined);
    expect(expiryCheckBasis("manual", lastFull, later(HOUR), WEEK)).to.equal(undefined);
    expect(expiryCheckBasis("domain_added", lastFull, later(HOUR), WEEK)).to.equal(undefined);
  });

  it("dates a result recorded before light checks existed (no graded_at) by its checked_at", () => {
    const { graded_at: _g, probe: _p, ...old } = lastFull;
    expect(gradedAt(old)).to.deep.equal(T0);
    expect(gradedAt({ ...lastFull, checked_at: later(HOUR).toISOString() })).to.deep.equal(T0);
  });
});
