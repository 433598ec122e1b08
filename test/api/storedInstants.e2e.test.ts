// Instants stored outside the years 0001-9999 before the API refused them (a field report:
// muted_until 9999-12-31T23:59:59-05:00 was accepted as +010000-01-01T04:59:59.000Z; from then
// on the domains projection failed on it, the domain answered 500 to PUT, DELETE and its
// history, and a key made to expire then stalled the accounts read model for every user). Such
// events stay in the log: they are read as the nearest end of the range (src/shared/instant.ts).
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { accountEventCodec, userStreamName } from "../../src/accounts/events.js";
import { domainStreamCodec } from "../../src/domains/domainStream.js";
import { domainStreamName } from "../../src/domains/events.js";
import { WITHOUT_CHECKS } from "../support/apiHelpers.js";
import { eventually } from "../support/eventually.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const YEAR_10000 = "+010000-01-01T04:59:59.000Z";

describe("instants stored outside the years 0001-9999, read back (e2e)", () => {
  let t: TestServer;
  let api: ApiClient;
  let userId: string;
  before(async () => {
    t = await startTestServer({ env: WITHOUT_CHECKS });
    const user = await t.createUser();
    userId = user.userId;
    api = t.client(user.key);
  });
  after(async () => t?.close());

  /** Appends `event` at the end of `stream`, as an older version of the service did. */
  const appendAsStored = async (stream: string, event: Parameters<typeof domainStreamCodec.encode>[0] | Parameters<typeof accountEventCodec.encode>[0]) => {
    const store = t.server.infra.eventStore;
    const last = (await store.readStream(stream)).at(-1)!;
    const codec = event.type === "ApiKeyCreated" ? accountEventCodec : domainStreamCodec;
    await store.appendToStream(stream, [codec.encode(event as never, randomUUID(), {})], { expectedRevision: last.revision });
  };

  for (const [stored, read] of [
    [YEAR_10000, "9999-12-31T23:59:59.999Z"],
    ["0000-01-01T00:00:00.000Z", "0001-01-01T00:00:00.000Z"],
  ] as const) {
    it(`a domain muted until ${stored} reads as muted until ${read}, and can be changed, looked at in the past and deleted`, async () => {
      const { body: domain } = await api.post("/domains", { hostname: `muted-${randomUUID().slice(0, 8)}.example.com` });
      await appendAsStored(domainStreamName(domain.id), { type: "DomainUpdated", data: { domainId: domain.id, changes: { mutedUntil: stored }, updatedAt: new Date().toISOString() } });
      const shown = await eventually(`the domain's muted_until read as ${read}`, async () => {
        const { body } = await api.get(`/domains/${domain.id}`);
        return body.muted_until === read && body;
      });
      expect(shown.hostname).to.equal(domain.hostname);
      const asOf = await api.get(`/domains/${domain.id}/history?as_of=${encodeURIComponent(new Date().toISOString())}`);
      expect([asOf.status, asOf.body.state.domain.muted_until]).to.deep.equal([200, read]);
      const history = await api.get(`/domains/${domain.id}/history`);
      expect(history.status).to.equal(200);
      const change = history.body.data.find((e: { type: string; data: { changes?: object } }) => e.type === "DomainUpdated" && e.data.changes && "mutedUntil" in e.data.changes);
      expect(change.data.changes.mutedUntil).to.equal(read);
      const unmuted = await api.put(`/domains/${domain.id}`, { muted_until: null, notes: "after" });
      expect([unmuted.status, unmuted.body.muted_until, unmuted.body.notes]).to.deep.equal([200, null, "after"]);
      expect((await api.delete(`/domains/${domain.id}`)).status).to.equal(200);
    });
  }

  it("a key stored to expire in the year 10000 holds nothing back: it is listed as expiring at the end of 9999, and keys made after it work", async () => {
    const keyId = randomUUID();
    await appendAsStored(userStreamName(userId), {
      type: "ApiKeyCreated",
      data: { keyId, userId, label: "far", permissions: ["read"], expiresAt: YEAR_10000, keyHash: "x".repeat(64), keyPrefix: "ssa_live_far", createdAt: new Date().toISOString(), createdByKeyId: null },
    });
    const created = await api.post("/api-keys", { label: "after" });
    expect(created.status).to.equal(201);
    expect((await t.client(created.body.key).get("/domains")).status).to.equal(200);
    const { body } = await api.get("/api-keys?per_page=100");
    expect(body.data.find((k: { id: string }) => k.id === keyId)?.expires_at).to.equal("9999-12-31T23:59:59.999Z");
  });
});
