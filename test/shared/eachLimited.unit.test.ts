// eachLimited: every item once, never more than the limit in flight, the first failure rejects.
import { expect } from "chai";
import { eachLimited } from "../../src/shared/eachLimited.js";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("eachLimited (unit)", () => {
  it("runs the step once per item with at most `limit` in flight", async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    await eachLimited([...Array(25).keys()], 4, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      seen.push(n);
      inFlight--;
    });
    expect([...seen].sort((a, b) => a - b)).to.deep.equal([...Array(25).keys()]);
    expect(most).to.equal(4);
  });

  it("takes fewer items than the limit, and none", async () => {
    const seen: string[] = [];
    await eachLimited(["a", "b"], 16, async (s) => void seen.push(s));
    await eachLimited([], 16, async () => expect.fail("no item"));
    expect(seen).to.deep.equal(["a", "b"]);
  });

  it("rejects with the first failure and starts no item after it", async () => {
    const started: number[] = [];
    const run = eachLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 2) throw new Error("step 2 failed");
    });
    await run.then(
      () => expect.fail("should reject"),
      (err: unknown) => expect(String(err)).to.include("step 2 failed"),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(started).to.deep.equal([1, 2, 3]);
  });
});
