// inBatches: what arrives while a batch is written, or within one turn of the event loop (a
// page read from the log, delivered a message per microtask), is one batch.
import { expect } from "chai";
import type { RecordedEvent, SubscriptionMessage } from "../../../src/infrastructure/eventStore/eventStore.js";
import { inBatches } from "../../../src/infrastructure/projections/batches.js";

const event = (n: number): SubscriptionMessage => ({
  kind: "event",
  event: { id: `e${n}`, type: "T", streamName: "s", revision: BigInt(n), position: { commit: 1n, prepare: BigInt(n) }, data: {}, metadata: {}, createdAt: new Date(0) } satisfies RecordedEvent,
});

/** Pages of `sizes` messages, each page a message per microtask, pages a timer apart. */
async function* pages(sizes: readonly number[]): AsyncIterable<SubscriptionMessage> {
  let n = 0;
  for (const size of sizes) {
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < size; i++) yield event(n++);
  }
}

describe("inBatches (unit)", () => {
  it("takes a page that arrives a message per microtask as one batch", async () => {
    const sizes: number[] = [];
    for await (const batch of inBatches(pages([3, 1, 5]), 100)) sizes.push(batch.events.length);
    expect(sizes).to.deep.equal([3, 1, 5]);
  });

  it("cuts a page at the batch size", async () => {
    const sizes: number[] = [];
    for await (const batch of inBatches(pages([7]), 3)) sizes.push(batch.events.length);
    expect(sizes).to.deep.equal([3, 3, 1]);
  });
});
