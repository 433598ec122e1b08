// A process told to stop while its projections are still starting (an orchestrator's SIGTERM
// during a rollout, a test's after hook) stops promptly: a projection that attaches to the
// shared reader after it stopped must not wait for events that never come.
import { expect } from "chai";
import { startTestServer } from "../../support/testServer.js";

describe("stopping right after start (integration)", function () {
  this.timeout(30_000);

  for (const waitMs of [0, 50, 300]) {
    it(`a server closed ${waitMs} ms after it started stops within 5 s`, async () => {
      const t = await startTestServer();
      await new Promise((r) => setTimeout(r, waitMs));
      const started = Date.now();
      const closed = await Promise.race([t.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5_000))]);
      expect(closed, `closed within 5 s (took ${Date.now() - started} ms so far)`).to.equal(true);
    });
  }
});
