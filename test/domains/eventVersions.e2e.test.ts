// Events are the permanent record: a DomainAdded stored in its first shape (v1, before it
// kept the hostname as requested) must still replay everywhere - read models, history,
// as-of state, the write side and a rebuild - upcast to the current shape.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { domainsProjection } from "../../projections/domains.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

describe("old event versions replay (e2e)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("reads a stored v1 DomainAdded through every reader and keeps deciding on it", async () => {
    const { userId, key } = await t.createUser();
    const api = t.client(key);
    const domainId = randomUUID();
    // Exactly as version 1 wrote it: no requestedHostname, schemaVersion 1.
    const appended = await t.server.infra.eventStore.appendToStream(
      `domain-${domainId}`,
      [
        {
          id: randomUUID(),
          type: "DomainAdded",
          data: { domainId, userId, hostname: "legacy.example.com", port: 443, notes: "from v1", tags: ["old"], addedAt: "2026-01-01T00:00:00.000Z" },
          metadata: { correlationId: "import-1", userId, schemaVersion: 1 },
        },
      ],
      { expectedRevision: "no_stream" },
    );
    await t.server.services.projections.waitFor(appended.position);

    const domain = await api.get(`/domains/${domainId}`);
    expect(domain.status).to.equal(200);
    expect(domain.body).to.include({ hostname: "legacy.example.com", notes: "from v1", created_at: "2026-01-01T00:00:00.000Z" });

    const history = await api.get(`/domains/${domainId}/history`);
    expect(history.body.data[0].data).to.include({ hostname: "legacy.example.com", requestedHostname: "legacy.example.com" });
    const asOf = await api.get(`/domains/${domainId}/history?as_of=2027-01-01T00:00:00Z`);
    expect(asOf.body.state.domain).to.include({ status: "monitored", hostname: "legacy.example.com" });

    // The write side folds the old event too.
    expect((await api.put(`/domains/${domainId}`, { notes: "edited" })).body.notes).to.equal("edited");
    const rows = async () => (await t.server.infra.knex("domains").where({ id: domainId }).select("hostname", "notes", "tags"))[0];
    const live = await rows();
    await t.server.services.projections.rebuild(domainsProjection);
    expect(await rows()).to.deep.equal(live);
  });

  it("stores new domains as v2, with the hostname as the user sent it", async () => {
    const api = t.client((await t.createUser()).key);
    const created = await api.post("/domains", { hostname: "Mixed.Example.COM." });
    expect(created.body.hostname).to.equal("mixed.example.com");
    const [added] = await t.server.infra.eventStore.readStream(`domain-${created.body.id}`);
    expect(added!.metadata.schemaVersion).to.equal(2);
    expect(added!.data).to.include({ hostname: "mixed.example.com", requestedHostname: "Mixed.Example.COM." });
  });
});
