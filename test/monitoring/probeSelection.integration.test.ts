// Which SSL check a job runs, through the queue and the workers of a real server: a full
// probe first, on POST /check and on creation, and once the last one is older than
// SSLTRACKR_FULL_PROBE_INTERVAL_HOURS; expiry checks in between, which show the last full
// probe's grade with its graded_at.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { CHECK_PRIORITY, CHECK_QUEUE, checkJobKey } from "../../src/monitoring/checkJobs.js";
import { ManualClock } from "../../src/shared/clock.js";
import { WITHOUT_CHECKS } from "../support/apiHelpers.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const HOUR = 3_600_000;

describe("Expiry checks and full probes (integration)", () => {
  const clock = new ManualClock(new Date("2030-01-01T00:00:00Z"));
  const checkers = new FakeCheckers(clock);
  let t: TestServer;
  let key: string;
  let userId: string;

  before(async () => {
    t = await startTestServer({ clock, checkers, env: { ...WITHOUT_CHECKS, SSLTRACKR_FULL_PROBE_INTERVAL_HOURS: "48" } });
    ({ key, userId } = await t.createUser());
  });
  after(async () => {
    await t?.close();
  });

  async function addDomain(): Promise<{ id: string; hostname: string }> {
    const hostname = `${randomUUID().slice(0, 8)}.example.com`;
    const { domainId, position } = await t.server.services.domains.add({ correlationId: randomUUID(), userId }, { hostname, port: 443, notes: null, tags: [] });
    if (position) await t.server.services.projections.waitFor(position);
    return { id: domainId, hostname };
  }
  /** Runs an SSL check job of `trigger` to its end. */
  async function check(domainId: string, trigger: "scheduled" | "manual" | "domain_added") {
    const requests = t.server.services.checkRequests;
    const ids =
      trigger === "scheduled"
        ? [(await t.server.infra.queue.send(CHECK_QUEUE, { key: checkJobKey(domainId, "ssl"), priority: CHECK_PRIORITY.scheduled, data: { domainId, kind: "ssl", trigger } }))!]
        : await requests.request(domainId, ["ssl"], trigger);
    await requests.awaitAll(ids, 10_000);
  }
  /** Checks of `trigger`, each `hours` after the one before; returns the probe kinds run. */
  async function checksOf(d: { id: string; hostname: string }, steps: [hours: number, trigger: "scheduled" | "manual" | "domain_added"][]) {
    for (const [hours, trigger] of steps) {
      clock.advance(hours * HOUR);
      await check(d.id, trigger);
    }
    return checkers.probes.get(d.hostname);
  }
  const shown = async (id: string) => (await t.client(key).get(`/domains/${id}/ssl`)).body as { probe: string; graded_at: string; checked_at: string; grade: string };

  it("probes fully first, then runs expiry checks on schedule that show the full probe's grade and graded_at", async () => {
    const d = await addDomain();
    const first = clock.now().toISOString();
    expect(await checksOf(d, [[0, "scheduled"], [12, "scheduled"], [12, "scheduled"]])).to.deep.equal(["full", "light", "light"]);
    const latest = await shown(d.id);
    expect(latest).to.include({ probe: "light", graded_at: first, checked_at: clock.now().toISOString(), grade: "A" });
  });

  it("probes fully once the last full probe is as old as SSLTRACKR_FULL_PROBE_INTERVAL_HOURS", async () => {
    const d = await addDomain();
    expect(await checksOf(d, [[0, "scheduled"], [47, "scheduled"], [1, "scheduled"]])).to.deep.equal(["full", "light", "full"]);
    const latest = await shown(d.id);
    expect(latest).to.include({ probe: "full", graded_at: latest.checked_at });
  });

  it("probes fully for POST /check and for a domain just added, whatever the last full probe's age", async () => {
    const d = await addDomain();
    expect(await checksOf(d, [[0, "domain_added"], [1, "manual"], [1, "scheduled"]])).to.deep.equal(["full", "full", "light"]);
  });
});
