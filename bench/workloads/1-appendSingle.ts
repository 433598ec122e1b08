// Workload 1: 16 concurrent writers, each append one event with its expected revision, to 10k
// distinct streams (each run appends once to every stream). Reference: Emmett doing the same
// on the same database. The streams are created (one event each) before the timed runs.
import { randomUUID } from "node:crypto";
import { STREAM_DOES_NOT_EXIST } from "@event-driven-io/emmett";
import { createBenchDatabase } from "../support/database.js";
import type { Measurement } from "../support/report.js";
import { timedPool } from "../support/stats.js";
import { openEmmett, openOurs } from "../support/stores.js";
import { rotate, type BenchOptions, type Workload } from "../support/workload.js";

const WRITERS = 16;

const streamName = (j: number) => `bench-${j}`;
const event = (j: number, run: number) => ({
  type: "DomainUpdated",
  data: { domainId: randomUUID(), changes: { notes: `run ${run} of stream ${j}` }, updatedAt: new Date().toISOString() },
});

/** Appends to every stream once; `run` -1 creates the streams. Returns events/s. */
type Contender = (streams: number, run: number) => Promise<number>;

const ours =
  (url: string): Contender =>
  async (streams, run) => {
    const { store, close } = await openOurs(url, WRITERS);
    try {
      const seconds = await timedPool(streams, WRITERS, async (j) => {
        const e = event(j, run);
        await store.appendToStream(streamName(j), [{ id: randomUUID(), ...e }], {
          expectedRevision: run < 0 ? "no_stream" : BigInt(run),
        });
      });
      return streams / seconds;
    } finally {
      await close();
    }
  };

const emmett =
  (url: string): Contender =>
  async (streams, run) => {
    const { store, close } = await openEmmett(url, WRITERS);
    try {
      // Emmett counts versions from 1: a stream with one event is at version 1.
      const seconds = await timedPool(streams, WRITERS, async (j) => {
        await store.appendToStream(streamName(j), [event(j, run)], {
          expectedStreamVersion: run < 0 ? STREAM_DOES_NOT_EXIST : BigInt(run + 1),
        });
      });
      return streams / seconds;
    } finally {
      await close();
    }
  };

export const appendSingle: Workload = {
  ids: [1],
  name: "append: 16 writers, single events with expected revision, 10k streams",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const streams = quick ? 2_000 : 10_000;
    const runs = quick ? 2 : 5;
    const db = await createBenchDatabase("append1");
    try {
      const contenders = { ours: ours(db.url), emmett: emmett(db.url) };
      await contenders.ours(streams, -1);
      await contenders.emmett(streams, -1);
      const results = { ours: [] as number[], emmett: [] as number[] };
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(["ours", "emmett"] as const, run)) results[name].push(await contenders[name](streams, run));
        log(`run ${run + 1}/${runs}: ours ${results.ours.at(-1)!.toFixed(0)}/s, emmett ${results.emmett.at(-1)!.toFixed(0)}/s`);
      }
      return [
        {
          id: "1",
          workload: `append, 16 writers, 1 event/append, expected revision, ${streams / 1000}k streams`,
          unit: "events/s",
          values: results.ours,
          reference: { name: "Emmett", values: results.emmett },
          target: { kind: "ratioAtLeast", ratio: 1.5 },
        },
      ];
    } finally {
      await db.drop();
    }
  },
};
