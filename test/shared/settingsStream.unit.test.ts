import { expect } from "chai";
import { settingsDecider } from "../../src/shared/settingsStream.js";

describe("settings stream decider (unit)", () => {
  const decider = settingsDecider("ThingSettingsChanged", { a: 1, b: 2 }, (stored: { a: number; b?: number }) => ({ b: 2, ...stored }));
  const now = new Date("2026-11-30T12:00:00Z");

  it("records a change as one event with who and when, and nothing for the settings already in force", () => {
    const state = decider.initialState();
    expect(decider.decide({ type: "Change", userId: "u", settings: { a: 1, b: 2 }, now }, state)).to.deep.equal([]);
    expect(decider.decide({ type: "Change", userId: "u", settings: { a: 3, b: 2 }, now }, state)).to.deep.equal([
      { type: "ThingSettingsChanged", data: { userId: "u", settings: { a: 3, b: 2 }, changedAt: "2026-11-30T12:00:00.000Z" } },
    ]);
  });

  it("reads stored settings through `read`, so an older event's missing members get their defaults", () => {
    expect(decider.evolve({ a: 1, b: 5 }, { type: "ThingSettingsChanged", data: { userId: "u", settings: { a: 7 }, changedAt: now.toISOString() } })).to.deep.equal({ a: 7, b: 2 });
  });
});
