// A check job that runs again after its check was recorded (its worker died, or its wait for
// the read models failed and the queue retried it): the retry answers with the recorded
// result and its position, so POST /check still waits for the read models and shows what was
// recorded, and the target is not probed a second time. Real server, real PostgreSQL.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { runCheckJob } from "../../src/monitoring/checkWorker.js";
import { decodePosition, type CheckJobOutput } from "../../src/monitoring/checkJobs.js";
import type { FetchedJob } from "../../src/infrastructure/queue/jobQueue.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { ManualClock } from "../../src/shared/clock.js";
import { WITHOUT_CHECKS } from "../support/apiHelpers.js";
import { FakeCheckers } from "../support/checkFixtures.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

describe("A retried check job (integration)", () => {
  const clock = new ManualClock(new Date("2030-01-01T00:00:00Z"));
  const checkers = new FakeCheckers(clock);
  let t: TestServer;
  let userId: string;

  before(async () => {
    t = await startTestServer({ clock, checkers, env: WITHOUT_CHECKS });
    ({ userId } = await t.createUser());
  });
  after(async () => t?.close());

  async function addDomain(): Promise<{ id: string; hostname: string }> {
    const hostname = `${randomUUID().slice(0, 8)}.example.com`;
    const { domainId, position } = await t.server.services.domains.add({ correlationId: randomUUID(), userId }, { hostname, port: 443, notes: null, tags: [] });
    if (position) await t.server.services.projections.waitFor(position);
    return { id: domainId, hostname };
  }

  /** Runs a job with this id through the worker's own handler, as a fetched job would be. */
  const runJob = (jobId: string, domainId: string, kind: "ssl" | "whois"): Promise<CheckJobOutput> => {
    const s = t.server.services;
    const job = { id: jobId, data: { domainId, kind, trigger: "manual" } } as unknown as FetchedJob<unknown>;
    return runCheckJob({ queue: t.server.infra.queue, runner: s.checks, due: { lastChecked: async () => null }, projections: s.projections, owner: "test", logger: createLogger("silent") }, job);
  };

  for (const kind of ["ssl", "whois"] as const) {
    it(`${kind}: the second run of a job answers with the first run's result and position, without checking again`, async () => {
      const d = await addDomain();
      const jobId = randomUUID();
      const first = await runJob(jobId, d.id, kind);
      expect(first.outcome).to.equal("recorded");
      expect(checkers.count(kind, d.hostname)).to.equal(1);

      clock.advance(60_000);
      const second = await runJob(jobId, d.id, kind);
      expect(second.outcome).to.equal("recorded");
      expect(second.position).to.deep.equal(first.position);
      expect(second.result).to.deep.equal(first.result);
      expect(checkers.count(kind, d.hostname), "not probed again").to.equal(1);

      // Recorded once: one check in the domain's history.
      const history = await t.server.services.history.events(null, d.id, 1, 100);
      const checks = history.data.filter((e) => e.type.startsWith(kind === "ssl" ? "Ssl" : "Whois"));
      expect(checks).to.have.length(1);
    });
  }

  it("a new job for the same domain checks again (the ids are the job's, not the domain's)", async () => {
    const d = await addDomain();
    const first = await runJob(randomUUID(), d.id, "ssl");
    clock.advance(60_000);
    const second = await runJob(randomUUID(), d.id, "ssl");
    expect(checkers.count("ssl", d.hostname)).to.equal(2);
    expect(decodePosition(second.position)).to.not.deep.equal(decodePosition(first.position));
  });
});
