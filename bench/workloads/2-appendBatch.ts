// Workload 2: 16 writers append batches of 100 events, each batch to a new stream.
// References: Emmett doing the same on the same database, and the floor: the same rows put
// into a copy of our events table (same columns, defaults and indexes) with one multi-row
// INSERT per batch, without any event-store logic.
import { randomUUID } from "node:crypto";
import { STREAM_DOES_NOT_EXIST } from "@event-driven-io/emmett";
import { createBenchDatabase } from "../support/database.js";
import type { Measurement } from "../support/report.js";
import { timedPool } from "../support/stats.js";
import { openEmmett, openOurs } from "../support/stores.js";
import { rotate, type BenchOptions, type Workload } from "../support/workload.js";

const WRITERS = 16;
const BATCH = 100;

const events = (stream: string) =>
  Array.from({ length: BATCH }, (_, i) => ({
    type: "DomainUpdated",
    data: { domainId: randomUUID(), changes: { notes: `${stream} event ${i}` }, updatedAt: new Date().toISOString() },
  }));

type Contender = (url: string, batches: number, run: number) => Promise<number>;

const ours: Contender = async (url, batches, run) => {
  const { store, close } = await openOurs(url, WRITERS);
  try {
    const seconds = await timedPool(batches, WRITERS, async (b) => {
      const stream = `ours-${run}-${b}`;
      await store.appendToStream(
        stream,
        events(stream).map((e) => ({ id: randomUUID(), ...e })),
        { expectedRevision: "no_stream" },
      );
    });
    return (batches * BATCH) / seconds;
  } finally {
    await close();
  }
};

const emmett: Contender = async (url, batches, run) => {
  const { store, close } = await openEmmett(url, WRITERS);
  try {
    const seconds = await timedPool(batches, WRITERS, async (b) => {
      await store.appendToStream(`emmett-${run}-${b}`, events(`emmett-${run}-${b}`), { expectedStreamVersion: STREAM_DOES_NOT_EXIST });
    });
    return (batches * BATCH) / seconds;
  } finally {
    await close();
  }
};

const floor: Contender = async (url, batches, run) => {
  const { pool, close } = await openOurs(url, WRITERS);
  try {
    await pool.query("create table if not exists floor_events (like eventstore.events including all)");
    const values = Array.from({ length: BATCH }, (_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6})`).join(", ");
    const sql = `insert into floor_events (stream_name, revision, event_id, event_type, data, metadata) values ${values}`;
    const seconds = await timedPool(batches, WRITERS, async (b) => {
      const stream = `floor-${run}-${b}`;
      const params = events(stream).flatMap((e, i) => [stream, i, randomUUID(), e.type, JSON.stringify(e.data), "{}"]);
      await pool.query(sql, params);
    });
    return (batches * BATCH) / seconds;
  } finally {
    await close();
  }
};

export const appendBatch: Workload = {
  ids: [2],
  name: "append: 16 writers, batches of 100 events to new streams",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const batches = quick ? 100 : 500;
    const runs = quick ? 2 : 5;
    const db = await createBenchDatabase("append2");
    try {
      // Create both schemas before timing anything.
      for (const open of [openOurs, openEmmett]) await (await open(db.url, 1)).close();
      const contenders = { ours, emmett, floor };
      const results = { ours: [] as number[], emmett: [] as number[], floor: [] as number[] };
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(["ours", "emmett", "floor"] as const, run)) results[name].push(await contenders[name](db.url, batches, run));
        log(`run ${run + 1}/${runs}: ours ${results.ours.at(-1)!.toFixed(0)}/s, emmett ${results.emmett.at(-1)!.toFixed(0)}/s, floor ${results.floor.at(-1)!.toFixed(0)}/s`);
      }
      const workload = `append, 16 writers, ${BATCH} events/append to new streams (${(batches * BATCH) / 1000}k events)`;
      return [
        { id: "2a", workload, unit: "events/s", values: results.ours, reference: { name: "Emmett", values: results.emmett }, target: { kind: "ratioAtLeast", ratio: 1.0 } },
        { id: "2b", workload, unit: "events/s", values: results.ours, reference: { name: "multi-row INSERT floor", values: results.floor }, target: { kind: "ratioAtLeast", ratio: 0.5 } },
      ];
    } finally {
      await db.drop();
    }
  },
};
