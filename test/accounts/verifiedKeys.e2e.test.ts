// Verified API keys are kept in each app process; a revocation made through one process must
// be refused by every other within a second, and a process that may have missed the news must
// not serve keys from memory. Two real servers on one database, as two replicas would run.
import { expect } from "chai";
import type { RunningServer } from "../../src/app/server.js";
import { LISTEN_APPLICATION_NAME } from "../../src/infrastructure/postgres/listenSession.js";
import { WITHOUT_CHECKS, expectError } from "../support/apiHelpers.js";
import { eventually } from "../support/eventually.js";
import { apiClient, startPeerServer, startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("verified API keys across two app processes (e2e)", () => {
  let t: TestServer;
  let peer: RunningServer;
  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
    peer = await startPeerServer(t.db.url, { env: WITHOUT_CHECKS });
  });
  after(async () => {
    await peer?.close();
    await t?.close();
  });

  /** A user with a second key to revoke: `owner` revokes through the first process. */
  const userWithSpareKey = async () => {
    const { key } = await t.createUser();
    const owner = t.client(key);
    const minted = await owner.post("/api-keys", { label: "spare", permissions: ["read", "write"] });
    expect(minted.status).to.equal(201);
    return { owner, spare: minted.body as { id: string; key: string } };
  };

  /** Statements the peer sends about API keys while `work` runs. */
  const keyLookupsDuring = async (work: () => Promise<void>) => {
    const seen: string[] = [];
    const listen = (q: { sql: string }) => {
      // Lookups only: the buffered last_used_at flush (an update, every 10 s) is not one.
      if (q.sql.includes("api_keys") && /^\s*select/i.test(q.sql)) seen.push(q.sql);
    };
    peer.infra.knex.on("query", listen);
    try {
      await work();
    } finally {
      peer.infra.knex.off("query", listen);
    }
    return seen.length;
  };

  const getTimes = async (client: ApiClient, n: number) => {
    for (let i = 0; i < n; i++) expect((await client.get("/domains")).status).to.equal(200);
  };

  it("authenticates a key it has verified without asking the database again", async () => {
    const { spare } = await userWithSpareKey();
    const onPeer = apiClient(peer.url, spare.key);
    await getTimes(onPeer, 1);
    // The key creations' notifications make the peer re-check its cache once; let that pass.
    await sleep(300);
    expect(await keyLookupsDuring(() => getTimes(onPeer, 10))).to.equal(0);
  });

  it("refuses, within 1 s, a key it had verified once the other process revoked it", async () => {
    const { owner, spare } = await userWithSpareKey();
    const onPeer = apiClient(peer.url, spare.key);
    await getTimes(onPeer, 2);
    expect((await owner.delete(`/api-keys/${spare.id}`)).status).to.equal(200);
    const revokedAt = performance.now();
    const status = await eventually("the peer no longer serves the key", async () => {
      const res = await onPeer.get("/domains");
      return res.status !== 200 && res.status;
    }, { timeoutMs: 2000, intervalMs: 10 });
    expect(status).to.equal(401);
    expect(performance.now() - revokedAt).to.be.below(1000);
    // The process that revoked it refuses it at once.
    expectError(await t.client(spare.key).get("/domains"), 401);
  });

  it("serves nothing from memory while it cannot hear of changes, and caches again once it can", async () => {
    const { owner, spare } = await userWithSpareKey();
    const onPeer = apiClient(peer.url, spare.key);
    await getTimes(onPeer, 2);
    // Cut the processes' LISTEN connections (one each, for all their channels): from now on
    // the peer could miss a revocation.
    const cut = await t.db.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
      [LISTEN_APPLICATION_NAME],
    );
    expect(cut.rowCount, "both processes listen, on one connection each").to.equal(2);
    await sleep(100);
    expect((await owner.delete(`/api-keys/${spare.id}`)).status).to.equal(200);
    expectError(await onPeer.get("/domains"), 401);

    // It listens again within about a second; then a verified key is served from memory.
    const { key } = await t.createUser();
    const other = apiClient(peer.url, key);
    let lookups = Infinity;
    await eventually(() => `a verified key served from memory (${lookups} key lookups in 3 requests)`, async () => {
      await getTimes(other, 1);
      lookups = await keyLookupsDuring(() => getTimes(other, 3));
      return lookups === 0;
    }, { timeoutMs: 5000, intervalMs: 200 });
  });
});
