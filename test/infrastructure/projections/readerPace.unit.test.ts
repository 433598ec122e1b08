// The shared reader's pace: live (LIVE_COALESCE_MS) while a write waits or while other
// processes' waits cannot be heard, lazy (lazyMs) otherwise, and a hurry or a wait beginning
// cuts a lazy wait short.
import { expect } from "chai";
import { LIVE_COALESCE_MS, ReaderPace } from "../../../src/infrastructure/projections/readerPace.js";

const LAZY_MS = 2000;

/** How long `coalesce` took to resolve, in ms, with `meanwhile` run after `afterMs`. */
async function timed(pace: ReaderPace, signal = new AbortController().signal, meanwhile?: { afterMs: number; run: () => void }): Promise<number> {
  const start = performance.now();
  if (meanwhile) setTimeout(meanwhile.run, meanwhile.afterMs);
  await pace.coalesce(signal);
  return performance.now() - start;
}

describe("ReaderPace (unit)", () => {
  it("stays live until it hears other processes' waits", async () => {
    const elapsed = await timed(new ReaderPace(LAZY_MS));
    expect(elapsed).to.be.at.least(LIVE_COALESCE_MS - 1).and.below(LAZY_MS / 2);
  });

  it("gathers appends for lazyMs while it hears and no write waits", async () => {
    const pace = new ReaderPace(LAZY_MS);
    pace.hearing(true);
    expect(await timed(pace)).to.be.at.least(LAZY_MS - 1);
  });

  it("reads within the live window when hurried during a lazy wait, and stays live for lazyMs after", async () => {
    const pace = new ReaderPace(LAZY_MS);
    pace.hearing(true);
    const cut = await timed(pace, undefined, { afterMs: 100, run: () => pace.hurry() });
    expect(cut).to.be.at.least(100).and.below(LAZY_MS / 2);
    expect(await timed(pace)).to.be.below(LAZY_MS / 2);
  });

  it("reads live while a wait of this process is open, however long, and lazily once it ends", async () => {
    const pace = new ReaderPace(LAZY_MS);
    pace.hearing(true);
    let end = () => undefined as void;
    const cut = await timed(pace, undefined, { afterMs: 100, run: () => (end = pace.waitBegins()) });
    expect(cut).to.be.at.least(100).and.below(LAZY_MS / 2);
    await new Promise((r) => setTimeout(r, LAZY_MS / 2));
    expect(await timed(pace), "still waiting after lazyMs/2").to.be.below(LAZY_MS / 2);
    end();
    end(); // ending twice counts once
    const second = pace.waitBegins();
    second();
    expect(await timed(pace)).to.be.at.least(LAZY_MS - 1);
  });

  it("goes live when its channel goes deaf during a lazy wait", async () => {
    const pace = new ReaderPace(LAZY_MS);
    pace.hearing(true);
    expect(await timed(pace, undefined, { afterMs: 100, run: () => pace.hearing(false) })).to.be.below(LAZY_MS / 2);
  });

  it("ends a wait when its reader stops", async () => {
    const pace = new ReaderPace(LAZY_MS);
    pace.hearing(true);
    const controller = new AbortController();
    expect(await timed(pace, controller.signal, { afterMs: 50, run: () => controller.abort() })).to.be.below(LAZY_MS / 2);
    expect(await timed(pace, controller.signal)).to.be.below(LAZY_MS / 2);
  });
});
