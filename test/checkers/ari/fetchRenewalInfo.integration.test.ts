// Asking a local ACME server for renewal information (RFC 9773) as the checker does: the SSRF
// guard, the politeness gate, Retry-After and its clamp, and every way a CA can fail, each
// ending in a failed RenewalInfo rather than an exception.
import { expect } from "chai";
import { fetchRenewalInfo, type AriFetchOptions } from "../../../src/checkers/ari/fetchRenewalInfo.js";
import { startAcmeAriServer, type AcmeAriServer } from "../../support/acmeAriServer.js";

const NOW = new Date("2026-11-30T12:00:00.000Z");
const HOUR_MS = 3_600_000;
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR_MS);

describe("fetchRenewalInfo (integration, local ACME ARI server)", function () {
  this.timeout(20_000);
  let ari: AcmeAriServer;
  let options: AriFetchOptions;
  // Each test its own directory URL: the process caches directories for a day.
  let n = 0;
  const ask = (o: Partial<AriFetchOptions> = {}) =>
    fetchRenewalInfo({ certificateId: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", fingerprint: "aa:bb", directoryUrl: `${ari.directoryUrl}?n=${n++}` }, { ...options, ...o });

  beforeEach(async () => {
    ari = await startAcmeAriServer();
    options = { allowPrivateTargets: true, timeoutMs: 3000, now: NOW };
  });
  afterEach(() => ari.close());

  it("keeps the window, the explanation URL and when to ask again (Retry-After, seconds)", async () => {
    ari.answer({ window: { start: at(10), end: at(20) }, explanationUrl: "https://ca.test/why", retryAfter: "7200" });
    const info = await ask();
    expect(info).to.deep.include({
      outcome: "ok",
      renewal_window: { start: at(10).toISOString(), end: at(20).toISOString() },
      explanation_url: "https://ca.test/why",
      fetched_at: NOW.toISOString(),
      next_fetch_at: at(2).toISOString(),
      message: null,
    });
    expect(ari.renewalInfoRequests()).to.deep.equal(["aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"]);
  });

  it("clamps Retry-After to a minute and a day, and waits 6 hours without one", async () => {
    ari.answer({ window: { start: at(10), end: at(20) }, retryAfter: "1" });
    expect((await ask()).next_fetch_at).to.equal(new Date(NOW.getTime() + 60_000).toISOString());
    ari.answer({ window: { start: at(10), end: at(20) }, retryAfter: String(7 * 86_400) });
    expect((await ask()).next_fetch_at).to.equal(at(24).toISOString());
    ari.answer({ window: { start: at(10), end: at(20) } });
    expect((await ask()).next_fetch_at).to.equal(at(6).toISOString());
  });

  it("refuses a CA on a private address unless private targets are allowed (the SSRF guard), without a request", async () => {
    ari.answer({ window: { start: at(10), end: at(20) } });
    const info = await ask({ allowPrivateTargets: false });
    expect(info).to.deep.include({ outcome: "failed", renewal_window: null, next_fetch_at: at(6).toISOString() });
    expect(info.message).to.match(/non-public address 127\.0\.0\.1/);
    expect(ari.requests).to.deep.equal([]);
  });

  it("connects through the politeness gate, releasing each slot", async () => {
    ari.answer({ window: { start: at(10), end: at(20) } });
    const acquired: string[] = [];
    let released = 0;
    const gate = { acquire: (ip: string) => (acquired.push(ip), Promise.resolve(() => void released++)) };
    expect((await ask({ gate })).outcome).to.equal("ok");
    // The directory, then the renewalInfo resource.
    expect(acquired).to.deep.equal(["127.0.0.1", "127.0.0.1"]);
    expect(released).to.equal(2);
  });

  it("fails, keeping Retry-After, on an HTTP error; fails on a window that ends before it starts or a body that is not RenewalInfo", async () => {
    ari.answer({ status: 503, retryAfter: "120" });
    expect(await ask()).to.deep.include({ outcome: "failed", next_fetch_at: new Date(NOW.getTime() + 120_000).toISOString() });
    ari.answer({ window: { start: at(20), end: at(10) } });
    expect((await ask()).message).to.match(/ends before it starts/);
    ari.answer({ rawBody: '{"suggestedWindow": {"start": "soon"}}' });
    expect((await ask()).message).to.match(/not a RenewalInfo object/);
    ari.answer({ rawBody: "x".repeat(70 * 1024) });
    expect((await ask()).message).to.match(/larger than 65536 bytes/);
  });

  it("fails when the CA's directory offers no renewalInfo", async () => {
    ari.withoutAri();
    const info = await ask();
    expect(info.outcome).to.equal("failed");
    expect(info.message).to.match(/offers no renewalInfo/);
    expect(ari.renewalInfoRequests()).to.deep.equal([]);
  });
});
