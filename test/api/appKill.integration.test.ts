// kill -9 of the app process under concurrent writes, then a new process on the same
// database. Clients retry every write that got no answer with the same Idempotency-Key. Then:
// every write exists exactly once, none acknowledged is lost.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { expect } from "chai";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { expectEachWriteOnce, runRetryingWriters } from "../support/retryingWriters.js";
import { startPeerServer } from "../support/testServer.js";

/** `ssltrackr serve` as its own process; resolves with its base URL once it listens. */
async function serve(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      SSLTRACKR_DB_POOL_MAX: "4",
      SSLTRACKR_SCHEDULER: "false",
      SSLTRACKR_CHECK_ON_CREATE: "false",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as { message?: string; url?: string };
      if (entry.message === "listening" && entry.url) resolve(entry.url.replace(/\/api\/v1$/, ""));
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${String(code)} before listening`)));
  });
  return { child, url: await listening };
}

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
