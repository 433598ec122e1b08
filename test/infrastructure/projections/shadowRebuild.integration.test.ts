// `projections rebuild` builds shadow tables while the live read models keep serving reads
// and following new writes, then swaps them in.
import { expect } from "chai";
import { domainsProjection } from "../../../projections/domains.js";
import { ProjectionRunner, type RebuildProgress } from "../../../src/infrastructure/projections/projectionRunner.js";
import { inGroups } from "../../support/apiHelpers.js";
import { startTestServer, type TestServer } from "../../support/testServer.js";

describe("rebuilding a projection into shadow tables (integration)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("keeps reads and writes working during the rebuild and swaps in identical tables", async () => {
    const { key } = await t.createUser();
    const api = t.client(key);
    await inGroups(40, 8, (i) => api.post("/domains", { hostname: `r${i}.example.com` }));
    const { knex, eventStore } = t.server.infra;
    const shadowRows = () => knex.raw<{ rows: { n: string }[] }>("select count(*) as n from rebuild_domains.domains").then((r) => Number(r.rows[0]?.n));

    const progress: RebuildProgress[] = [];
    let paused = false;
    const cli = new ProjectionRunner(knex, eventStore, [domainsProjection], { rebuildBatchSize: 10 });
    await cli.rebuild(domainsProjection, async (p) => {
      progress.push(p);
      if (paused) return;
      paused = true;
      // Mid-rebuild: the shadow is partial, the API still answers from the live tables...
      expect(await shadowRows()).to.be.below(40);
      const list = await api.get("/domains?per_page=100");
      expect(list.status).to.equal(200);
      expect(list.body.pagination.total).to.equal(40);
      // ...and a write is still read-your-writes (the live runner projects it).
      expect((await api.post("/domains", { hostname: "during.example.com" })).status).to.equal(201);
    });
    await cli.stop();

    expect(progress.length).to.be.above(2);
    expect(progress.at(-1)!.processed).to.be.at.least(40);
    expect(progress.every((p) => p.eventsPerSecond > 0)).to.equal(true);
    const after = await api.get("/domains?per_page=100&sort=hostname&order=asc");
    expect(after.body.pagination.total).to.equal(41);
    expect(after.body.data.map((d: { hostname: string }) => d.hostname)).to.include("during.example.com");
    const schemas = await knex.raw<{ rows: unknown[] }>("select 1 from pg_namespace where nspname = 'rebuild_domains'");
    expect(schemas.rows).to.deep.equal([]);
    // The live runner goes on projecting into the swapped-in tables.
    expect((await api.post("/domains", { hostname: "later.example.com" })).status).to.equal(201);
    expect((await api.get("/domains?per_page=100")).body.pagination.total).to.equal(42);
  });
});
