// The alert lifecycle through the API (issue #15, 1): checks that fail raise check_failed,
// the check that recovers resolves it (state, resolved_at, the state filter); an open alert
// can be acknowledged (idempotently), a resolved one cannot; a domain can be muted until an
// instant. Real server and PostgreSQL; fake checkers answer without the network.
import { expect } from "chai";
import { ManualClock } from "../../src/shared/clock.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const NOW = new Date("2026-06-01T10:00:00.000Z");

describe("Alert lifecycle through the API (e2e)", function () {
  this.timeout(30_000);
  const clock = new ManualClock(NOW);
  const checkers = new FakeCheckers(clock);
  let t: TestServer;
  let api: ApiClient;
  let other: ApiClient;
  let domainId: string;

  before(async () => {
    t = await startTestServer({ clock, checkers });
    api = t.client((await t.createUser()).key);
    other = t.client((await t.createUser()).key);
    const created = await api.post("/domains", { hostname: "flaky.example.com" });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    domainId = created.body.id;
  });
  after(async () => {
    await t?.close();
  });

  const check = async () => {
    const res = await api.post("/check", { domain_id: domainId });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };
  const alerts = async (query = "") => {
    const res = await api.get(`/alerts?per_page=100${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.data as Array<{ id: string; alert_type: string; state: string; acknowledged_at: string | null; resolved_at: string | null; title: string }>;
  };

  it("raises check_failed (open, not resolved) after 3 failed checks of each kind", async () => {
    checkers.failing.add("flaky.example.com");
    for (let i = 0; i < 3; i++) await check();
    const open = await alerts();
    expect(open.map((a) => [a.alert_type, a.state, a.resolved_at, a.acknowledged_at])).to.deep.equal([
      ["check_failed", "open", null, null],
      ["check_failed", "open", null, null],
    ]);
    expect(await alerts("&state=resolved")).to.deep.equal([]);
  });

  it("acknowledges an open alert (idempotent: the same answer twice), 404 for another user's or an unknown alert", async () => {
    const [first] = await alerts();
    clock.advance(60_000);
    const acked = await api.post(`/alerts/${first!.id}/acknowledge`);
    expect(acked.status, JSON.stringify(acked.body)).to.equal(200);
    expect(acked.body).to.include({ id: first!.id, state: "acknowledged", acknowledged_at: clock.now().toISOString(), resolved_at: null });
    clock.advance(60_000);
    const again = await api.post(`/alerts/${first!.id}/acknowledge`);
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal(acked.body);
    expect((await other.post(`/alerts/${first!.id}/acknowledge`)).status).to.equal(404);
    expect((await api.post(`/alerts/00000000-0000-4000-8000-000000000000/acknowledge`)).status).to.equal(404);
    expect((await api.post(`/alerts/not-a-uuid/acknowledge`)).status).to.equal(400);
    expect((await alerts("&state=acknowledged")).map((a) => a.id)).to.deep.equal([first!.id]);
    expect(await alerts("&state=open")).to.have.length(1);
  });

  it("resolves both alerts (acknowledged or not) when the checks recover; a resolved alert cannot be acknowledged (409)", async () => {
    checkers.failing.delete("flaky.example.com");
    clock.advance(60_000);
    await check();
    const all = await alerts();
    expect(all.map((a) => [a.state, a.resolved_at])).to.deep.equal([
      ["resolved", clock.now().toISOString()],
      ["resolved", clock.now().toISOString()],
    ]);
    expect(all.filter((a) => a.acknowledged_at !== null), "the acknowledgement is kept").to.have.length(1);
    expect(await alerts("&state=open")).to.deep.equal([]);
    const refused = await api.post(`/alerts/${all[0]!.id}/acknowledge`);
    expect(refused.status).to.equal(409);
    expect(refused.body.error).to.match(/resolved/);
  });

  it("refuses an unknown state filter with a 400", async () => {
    const res = await api.get("/alerts?state=closed");
    expect(res.status).to.equal(400);
    expect(res.body).to.have.property("error");
  });

  it("mutes a domain until an instant (normalised to UTC) and unmutes it with null; a bad instant is a 400", async () => {
    const muted = await api.put(`/domains/${domainId}`, { muted_until: "2026-06-02T08:00:00+02:00" });
    expect(muted.status, JSON.stringify(muted.body)).to.equal(200);
    expect(muted.body.muted_until).to.equal("2026-06-02T06:00:00.000Z");
    expect((await api.get(`/domains/${domainId}`)).body.muted_until).to.equal("2026-06-02T06:00:00.000Z");
    expect((await api.put(`/domains/${domainId}`, { muted_until: "tomorrow" })).status).to.equal(400);
    const unmuted = await api.put(`/domains/${domainId}`, { muted_until: null });
    expect(unmuted.body.muted_until).to.equal(null);
  });
});
