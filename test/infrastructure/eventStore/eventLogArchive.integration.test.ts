// The event log file (docs/backup.md) on a real PostgreSQL: what an export holds, that an
// import reproduces the log (order, revisions, heads) and takes appends where it left off, and
// that a file which is not a whole event log is refused with nothing stored.
import { randomUUID } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { expect } from "chai";
import {
  EventLogFormatError,
  EventStoreNotEmptyError,
  exportEventLog,
  importEventLog,
} from "../../../src/infrastructure/eventStore/postgres/eventLogArchive.js";
import { PostgresEventStore } from "../../../src/infrastructure/eventStore/postgres/postgresEventStore.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

async function exported(db: TestDatabase, now = new Date("2026-01-02T03:04:05.678Z")): Promise<string> {
  const out = new PassThrough();
  const content = text(out);
  await exportEventLog(db.pool, out, { now });
  out.end();
  return content;
}

describe("event log export and import (PostgreSQL, integration)", () => {
  const dbs: TestDatabase[] = [];
  const emptyStore = async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    await (await PostgresEventStore.connect(db.pool, db.url)).close();
    return db;
  };
  let source: TestDatabase;
  let file: string;

  before(async () => {
    source = await createTestDatabase();
    dbs.push(source);
    const store = await PostgresEventStore.connect(source.pool, source.url);
    // Interleaved streams, and strings JSON must escape (quotes, backslashes, newlines, tabs,
    // control characters, non-ASCII): COPY moves each line verbatim.
    for (let i = 0; i < 30; i++) {
      await store.appendToStream(`stream-${i % 3}`, [
        { id: randomUUID(), type: "Numbered", data: { i, text: `line "${i}"\n\ttab \\ back\u0001slash — ü 🙂` }, metadata: { userId: "u" } },
      ]);
    }
    await store.close();
    file = await exported(source);
  });
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  it("exports a versioned header and one JSON line per event, in global order", () => {
    const [header, ...events] = file.trimEnd().split("\n");
    expect(JSON.parse(header!)).to.deep.equal({ format: "ssltrackr-event-log", version: 1, exported_at: "2026-01-02T03:04:05.678Z", events: 30 });
    const parsed = events.map((l) => JSON.parse(l) as { stream: string; revision: number; data: { i: number; text: string } });
    expect(parsed.map((e) => e.data.i)).to.deep.equal([...Array(30).keys()]);
    expect(parsed[4]).to.include({ stream: "stream-1", revision: 1 });
    expect(parsed[4]!.data.text).to.equal('line "4"\n\ttab \\ back\u0001slash — ü 🙂');
  });

  it("imports into an empty store the same log, which then takes appends where the original left off", async () => {
    const target = await emptyStore();
    const restored = await importEventLog(target.pool, Readable.from([file]));
    expect(restored).to.include({ events: 30, streams: 3, exported_at: "2026-01-02T03:04:05.678Z" });
    expect((await exported(target)).split("\n").slice(1)).to.deep.equal(file.split("\n").slice(1));

    const store = await PostgresEventStore.connect(target.pool, target.url);
    try {
      const appended = await store.appendToStream("stream-0", [{ id: randomUUID(), type: "Numbered", data: { i: 30 } }], { expectedRevision: 9n });
      expect(appended.nextExpectedRevision).to.equal(10n);
      // The global log shows a transaction once every older one on the server has ended.
      let all = await store.readAll({ maxCount: 100 });
      for (let i = 0; i < 200 && all.length < 31; i++) {
        await new Promise((r) => setTimeout(r, 50));
        all = await store.readAll({ maxCount: 100 });
      }
      expect(all.map((e) => (e.data as { i: number }).i)).to.deep.equal([...Array(31).keys()]);
    } finally {
      await store.close();
    }
  });

  it("reads a file however it is chunked (the header split across chunks)", async () => {
    const target = await emptyStore();
    const bytes = Buffer.from(file);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect((await importEventLog(target.pool, Readable.from(chunks))).events).to.equal(30);
  });

  it("refuses, storing nothing, a file that is not a whole event log of this version", async () => {
    const [header, ...lines] = file.split("\n");
    const cases: Record<string, { content: string; error: RegExp }> = {
      empty: { content: "", error: /no header line/ },
      "not a backup": { content: "hostname,port\nexample.com,443\n", error: /first line is not JSON: not an SSLTrackr event log/ },
      "another JSON file": { content: '{"hello":"world"}\n', error: /not an SSLTrackr event log/ },
      "a newer version": { content: [header!.replace('"version":1', '"version":2'), ...lines].join("\n"), error: /unsupported ssltrackr-event-log version 2 \(this release reads version 1\)/ },
      truncated: { content: [header, ...lines.slice(0, 5)].join("\n") + "\n", error: /announces 30 events but the file holds 5: it is incomplete/ },
      "a broken line": { content: [header, "{not json", ...lines.slice(1)].join("\n"), error: /an event line is invalid/ },
      "a missing field": { content: [header, lines[0]!.replace(/"id":"[^"]+",/, ""), ...lines.slice(1)].join("\n"), error: /an event line is invalid/ },
      "a gap in a stream": { content: [header!.replace('"events":30', '"events":29'), ...lines.slice(1)].join("\n"), error: /stream "stream-0" has missing revisions/ },
    };
    const target = await emptyStore();
    for (const [name, { content, error }] of Object.entries(cases)) {
      const failure = await importEventLog(target.pool, Readable.from([content])).catch((err: unknown) => err);
      expect(failure, name).to.be.instanceOf(EventLogFormatError);
      expect((failure as Error).message, name).to.match(error);
      const { rows } = await target.pool.query<{ n: number }>("select (select count(*) from eventstore.events)::int + (select count(*) from eventstore.streams)::int as n");
      expect(rows[0]!.n, name).to.equal(0);
    }
  });

  it("refuses a store that already holds events", async () => {
    const failure = await importEventLog(source.pool, Readable.from([file])).catch((err: unknown) => err);
    expect(failure).to.be.instanceOf(EventStoreNotEmptyError);
    expect((failure as Error).message).to.equal("the event store already holds 30 events: restore into an empty database");
  });
});
