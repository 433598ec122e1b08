// kill -9 of the app process under concurrent writes, then a new process on the same
// database. Clients retry every write that got no answer with the same Idempotency-Key. Then:
// every write exists exactly once, none acknowledged is lost.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { expect } from "chai";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { expectEachWriteOnce, runRetryingWriters } from "../support/retryingWriters.js";
import { serve } from "../support/serveProcess.js";
import { startPeerServer } from "../support/testServer.js";

describe("kill -9 of the app under concurrent writes retried by Idempotency-Key (integration)", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  const children: ChildProcess[] = [];

  before(async () => {
    db = await createTestDatabase();
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await db.drop();
  });

  it("loses no acknowledged write and duplicates none", async () => {
    // A user made by a short-lived process of our own on the same database.
    const admin = await startPeerServer(db.url);
    const user = await admin.services.accounts.registerUser({ correlationId: randomUUID() }, `kill-${randomUUID()}@example.com`);
    if (user.position) await admin.services.projections.waitFor(user.position);
    await admin.close();

    const first = await serve(db.url);
    children.push(first.child);
    let baseUrl = first.url;
    // Killed once writes are flowing (a fixed delay let a fast machine finish them all first).
    let flowing = () => undefined as void;
    const writesFlowing = new Promise<void>((resolve) => (flowing = resolve));
    const kill = (async () => {
      await writesFlowing;
      first.child.kill("SIGKILL");
      await once(first.child, "exit");
      const second = await serve(db.url);
      children.push(second.child);
      baseUrl = second.url;
    })();
    const [outcomes] = await Promise.all([
      runRetryingWriters("kill", {
        workers: 6,
        writesPerWorker: 20,
        baseUrl: () => baseUrl,
        apiKey: user.key,
        settleWithinMs: 45_000,
        serverMayDie: true,
        onAcknowledged: (count) => count >= 12 && flowing(),
      }),
      kill,
    ]);
    expect(outcomes.filter((o) => o.failures.length > 0).length, "the kill happened under load").to.be.greaterThan(0);
    await expectEachWriteOnce(baseUrl, user.key, outcomes);
  });
});
