// Checks scaled out: one API process (no workers; it leads the schedule) and `ssltrackr
// worker` child processes on one database, checking HTTPS sites on 127.0.0.1 and a local
// RDAP server for real. Every due check runs once; a worker killed with SIGKILL mid-check
// loses nothing, and its job is recorded once; POST /check is served by the workers, ahead
// of scheduled checks.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { domainStreamName } from "../../src/domains/events.js";
import type { RunningServer as AppServer } from "../../src/app/server.js";
import { CHECK_QUEUE, checkJobKey, type CheckJobOutput } from "../../src/monitoring/checkJobs.js";
import { eventually } from "../support/eventually.js";
import { createPki, startStallingServer, startTlsServer, type CertificateAuthority, type Pki, type RunningServer } from "../support/pki.js";
import { startRdapServer, writeBootstrapFile, type RunningServer as RegistryServer } from "../support/registryServers.js";
import { startPeerServer, startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";
import { startWorkerProcess, type WorkerProcess } from "../support/workerProcess.js";

const HOSTS = Array.from({ length: 12 }, (_, i) => `site${i}.workers.test`);
const SLOW = "slow.workers.test";
/** Names on one address whose server counts connections (politeness). */
const POLITE = ["p0.workers.test", "p1.workers.test", "p2.workers.test"];
/** New domains whose scheduled checks wait while a POST /check comes (priorities). */
const QUEUED = ["q0.workers.test", "q1.workers.test", "q2.workers.test", "q3.workers.test"];
const LEASE_SECONDS = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Check workers in separate processes (e2e, real checks)", function () {
  this.timeout(120_000);
  let pki: Pki;
  let ca: CertificateAuthority;
  let site: RunningServer;
  let slow: RunningServer;
  let polite: RunningServer;
  let rdap: RegistryServer & { baseUrl: string };
  let t: TestServer;
  let api: ApiClient;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];
  let checkedIds: string[] = [];

  before(async () => {
    pki = await createPki();
    ca = await pki.createRootCa({ cn: "SSLTrackr Workers Root" });
    const caFile = join(pki.dir, "ca.pem");
    await writeFile(caFile, ca.certPem);
    const leaf = await pki.createLeaf(ca, { cn: "workers.test", sans: [...HOSTS, SLOW, ...QUEUED] });
    site = await startTlsServer({ leaf, hsts: "max-age=31536000" });
    slow = await startStallingServer();
    polite = await startTlsServer({ leaf: await pki.createLeaf(ca, { cn: "polite.workers.test", sans: POLITE }) });
    rdap = await startRdapServer((path) => ({
      body: {
        objectClassName: "domain",
        ldhName: decodeURIComponent(path.replace(/^\/domain\//, "")),
        events: [{ eventAction: "expiration", eventDate: new Date(Date.now() + 300 * 86_400_000).toISOString() }],
      },
    }));
    env = {
      SSLTRACKR_RESOLVE: [...HOSTS, SLOW, ...POLITE, ...QUEUED].map((h) => `${h}=127.0.0.1`).join(","),
      SSLTRACKR_RDAP_BOOTSTRAP: writeBootstrapFile(["test"], rdap.baseUrl),
      SSLTRACKR_EXTRA_CA_FILE: caFile,
      SSLTRACKR_CHECK_TIMEOUT_MS: "2000",
      SSLTRACKR_CHECK_LEASE_SECONDS: String(LEASE_SECONDS),
      SSLTRACKR_CHECK_CONCURRENCY: "2",
      SSLTRACKR_QUEUE_POLL_MS: "100",
      // Politeness is tested on its own; elsewhere it would only slow the checks down.
      SSLTRACKR_TARGET_MAX_CONNECTIONS: "0",
    };
    // The API process: it leads the schedule and runs no check itself.
    t = await startTestServer({ env: { ...env, SSLTRACKR_WORKERS: "false", SSLTRACKR_SCHEDULER: "true", SSLTRACKR_SCHEDULER_TICK_SECONDS: "1" } });
    api = t.client((await t.createUser()).key);
  });
  after(async () => {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await t?.close();
    await Promise.allSettled([site?.close(), slow?.close(), polite?.close(), rdap?.close()]);
    await pki?.cleanup();
  });

  const startWorker = async (extra: Record<string, string> = {}) => {
    const w = await startWorkerProcess(t.db.url, { ...env, SSLTRACKR_SCHEDULER: "false", ...extra });
    workers.push(w);
    return w;
  };
  const addDomain = async (hostname: string, port: number): Promise<string> => {
    const res = await api.post("/domains", { hostname, port });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  };
  /** The check events on a domain's stream, by type. */
  const checksOf = async (domainId: string) => {
    const events = await t.server.infra.eventStore.readStream(domainStreamName(domainId));
    const checks = events.filter((e) => /^(Ssl|Whois)Check(ed|Failed)$/.test(e.type));
    return checks.map((e) => ({ type: e.type, checkId: (e.data as { checkId: string }).checkId }));
  };
  const queueStats = () => t.server.infra.queue.stats(CHECK_QUEUE, { windowMinutes: 60, byField: "worker", listed: 50 });
  const pidOf = (worker: string | null) => Number(worker?.split(":")[1]);

  it("runs every due check exactly once between two worker processes", async () => {
    const [a, b] = await Promise.all([startWorker(), startWorker()]);
    const ids = await Promise.all(HOSTS.map((h) => addDomain(h, site.port)));
    checkedIds = ids;
    await eventually("every domain is checked", async () => {
      const q = await queueStats();
      const counts = (await Promise.all(ids.map(checksOf))).map((c) => c.length);
      return q.waiting + q.running === 0 && counts.every((c) => c === 2);
    }, { timeoutMs: 60_000, intervalMs: 100 });
    for (const id of ids) {
      const checks = await checksOf(id);
      expect(checks.map((c) => c.type).sort(), id).to.deep.equal(["SslChecked", "WhoisChecked"]);
    }
    const by = new Map((await queueStats()).completedBy.map((c) => [pidOf(c.by), c.completed]));
    expect(by.get(a!.pid), a!.output()).to.be.greaterThan(0);
    expect(by.get(b!.pid), b!.output()).to.be.greaterThan(0);
    expect([...by.values()].reduce((x, y) => x + y, 0)).to.equal(2 * HOSTS.length);
    await Promise.all([a!.stop(), b!.stop()]);
  });

  it("runs the job of a worker killed with SIGKILL mid-check in another worker, and records it once", async () => {
    const doomed = await startWorker();
    const id = await addDomain(SLOW, slow.port);
    // The TLS server never answers, so the check hangs in the handshake: kill its worker then.
    const running = await eventually(
      "the slow SSL check runs",
      async () => (await queueStats()).runningJobs.find((j) => j.key === `${id}:ssl`),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await doomed.kill9();
    const killedAt = Date.now();
    // The site recovers; the next worker's check succeeds.
    const port = slow.port;
    await slow.close();
    slow = await startTlsServer({ leaf: await pki.createLeaf(ca, { cn: SLOW, sans: [SLOW] }), port });
    const rescuer = await startWorker();
    const output = await eventually("the job completes elsewhere", async () => {
      const job = await t.server.infra.queue.job(CHECK_QUEUE, running.id);
      return job?.state === "completed" ? (job.output as CheckJobOutput) : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    // Within the lease, the maintenance that notices it, a retry delay and a poll; far below 2 minutes.
    expect(Date.now() - killedAt).to.be.below(2 * 60_000);
    expect(pidOf(output.worker)).to.equal(rescuer.pid);
    const checks = await checksOf(id);
    expect(checks.filter((c) => c.type.startsWith("Ssl"))).to.deep.equal([{ type: "SslChecked", checkId: running.id }]);
    await rescuer.stop();
  });

  it("keeps to 2 connections at once and 100 ms between new ones per address, across two worker processes", async () => {
    const politeness = { SSLTRACKR_TARGET_MAX_CONNECTIONS: "2", SSLTRACKR_TARGET_MIN_SPACING_MS: "100" };
    const [a, b] = await Promise.all([startWorker(politeness), startWorker(politeness)]);
    // The slots held per address, as every process sees them, sampled through the run.
    let mostHeld = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await t.db.pool.query<{ n: number }>(
          "select count(*)::int as n from target_slots where ip = '127.0.0.1' and expires_at > now()",
        );
        mostHeld = Math.max(mostHeld, rows[0]!.n);
        await sleep(5);
      }
    })();
    const ids = await Promise.all(POLITE.map((h) => addDomain(h, polite.port)));
    await eventually("every polite domain is checked", async () => (await Promise.all(ids.map(checksOf))).every((c) => c.length === 2), { timeoutMs: 90_000, intervalMs: 100 });
    sampling = false;
    await sampler;
    const { acceptedAt } = polite.connectionStats!();
    // Three full probes: 33 connections each.
    expect(acceptedAt.length).to.be.at.least(3 * 30);
    // Connections open at once, as the workers hold them (the server's own count lags behind
    // closes while this busy test process handles other events).
    expect(mostHeld, "connections held at once").to.be.within(1, 2);
    const gaps = acceptedAt.slice(1).map((at, i) => at - acceptedAt[i]!);
    const span = acceptedAt.at(-1)! - acceptedAt[0]!;
    // Reserved starts are 100 ms apart (database clock); arrivals jitter by the event loops of
    // three busy processes, so single gaps may be shorter, never the run or the typical gap.
    expect(span, "the whole run").to.be.at.least(0.95 * 100 * gaps.length);
    const sorted = [...gaps].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)], "the median gap").to.be.at.least(95);
    await Promise.all([a!.stop(), b!.stop()]);
  });

  it("answers POST /check from a worker process, and 503 when no worker runs (the API process checks nothing)", async () => {
    const id = checkedIds[0]!;
    await startWorker();
    const checked = await api.post("/check", { domain_id: id });
    expect(checked.status, JSON.stringify(checked.body)).to.equal(200);
    expect(checked.body.ssl.subject).to.equal("CN=workers.test");
    expect(checked.body.whois.days_remaining).to.be.a("number");

    await Promise.all(workers.map((w) => w.stop()));
    const started = Date.now();
    const unserved = await api.post("/check", { domain_id: id });
    expect(unserved.status).to.equal(503);
    expect(unserved.body).to.deep.equal({ error: "No check worker finished this check in time; it stays queued, try again shortly" });
    expect(unserved.headers.get("retry-after")).to.equal("1");
    // Bounded: 30 s here (six check timeouts of 2 s are less).
    expect(Date.now() - started).to.be.within(30_000, 40_000);
    // Its jobs stay queued for the next worker (the priorities below start by draining them),
    // and asking again joins them rather than queueing the checks twice.
    const left = await queueStats();
    expect({ waiting: left.waiting, running: left.running }).to.deep.equal({ waiting: 2, running: 0 });
    const kinds = ["ssl", "whois"] as const;
    const queued = await Promise.all(kinds.map(async (kind) => (await t.server.infra.queue.waiting(CHECK_QUEUE, checkJobKey(id, kind)))?.id));
    expect(await t.server.services.checkRequests.request(id, kinds, "manual")).to.deep.equal(queued);
    expect((await queueStats()).waiting).to.equal(2);
  });

  // One in-process worker (concurrency 1) whose pool the tests stop while work is queued (as
  // when every worker is busy) and start again; the API process's scheduler sweeps new domains
  // every second, as scheduled jobs.
  describe("priorities", () => {
    let peer: AppServer;
    const waiting = (n: number) => eventually(`${n} jobs waiting`, async () => (await queueStats()).waiting === n, { timeoutMs: 5000, intervalMs: 100 });
    const idle = () => eventually("the queue is idle", async () => {
      const q = await queueStats();
      return q.waiting + q.running === 0;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    /** The names the TLS site saw, each once, in the order their first handshake came. */
    const sitesChecked = (from: number) => [...new Set(site.servernames.slice(from))];
    const sslChecks = async (id: string) => (await checksOf(id)).filter((c) => c.type === "SslChecked").length;

    before(async () => {
      peer = await startPeerServer(t.db.url, { env: { ...env, SSLTRACKR_SCHEDULER: "false", SSLTRACKR_CHECK_CONCURRENCY: "1" } });
      // What earlier tests left queued (the 503's jobs) runs first.
      await idle();
    });
    after(async () => peer?.close());

    it("runs a POST /check before the scheduled checks queued ahead of it", async () => {
      await peer.services.checkWorkers.stop();
      const scheduled = await Promise.all(QUEUED.slice(0, 3).map((h) => addDomain(h, site.port)));
      await waiting(6);
      // A domain checked by the first test, so not due: nothing of it is queued yet.
      const [asked, askedId] = [HOSTS[1]!, checkedIds[1]!];
      const checkedBefore = await sslChecks(askedId);
      const from = site.servernames.length;
      const answer = api.post("/check", { domain_id: askedId });
      await waiting(8);
      peer.services.checkWorkers.start();
      const res = await answer;
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      await idle();
      const order = sitesChecked(from);
      expect(order[0], order.join(", ")).to.equal(asked);
      expect(order.slice(1).sort()).to.deep.equal(QUEUED.slice(0, 3));
      expect(await sslChecks(askedId)).to.equal(checkedBefore + 1);
      for (const id of scheduled) expect((await checksOf(id)).map((c) => c.type).sort(), id).to.deep.equal(["SslChecked", "WhoisChecked"]);
    });

    it("replaces the waiting scheduled check of a domain asked for with POST /check: checked once, as asked", async () => {
      await peer.services.checkWorkers.stop();
      const id = await addDomain(QUEUED[3]!, site.port);
      await waiting(2);
      const queue = t.server.infra.queue;
      const scheduled = await Promise.all((["ssl", "whois"] as const).map(async (kind) => (await queue.waiting(CHECK_QUEUE, checkJobKey(id, kind)))!.id));
      const answer = api.post("/check", { domain_id: id });
      const asked = await eventually("the request's jobs wait in their place", async () => {
        const now = await Promise.all((["ssl", "whois"] as const).map(async (kind) => (await queue.waiting(CHECK_QUEUE, checkJobKey(id, kind)))?.id));
        return now.every((j, i) => j && j !== scheduled[i]) ? (now as string[]) : undefined;
      }, { timeoutMs: 5000, intervalMs: 100 });
      expect((await queueStats()).waiting, "one job per kind").to.equal(2);
      for (const j of scheduled) expect((await queue.job(CHECK_QUEUE, j))?.state).to.equal("cancelled");
      peer.services.checkWorkers.start();
      const res = await answer;
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.ssl.subject).to.equal("CN=workers.test");
      await idle();
      // One check of each kind, recorded under the request's job ids, and labelled manual.
      const checks = await checksOf(id);
      expect(checks.map((c) => c.checkId).sort()).to.deep.equal([...asked].sort());
      expect(checks.map((c) => c.type).sort()).to.deep.equal(["SslChecked", "WhoisChecked"]);
      const history = await api.get(`/domains/${id}/ssl/history`);
      expect(history.body.data.map((c: { trigger: string }) => c.trigger)).to.deep.equal(["manual"]);
    });
  });
});
