// Workload 10: checks scaled out over `ssltrackr worker` processes. 20,000 domains (2,000 in
// --quick) are SNI names on 4 local TLS servers, one per loopback address (127.0.0.2-5, one
// wildcard certificate from a throwaway CA). Each domain has a full probe on record (the
// servers' real probe, so the expiry check finds the same addresses and certificate and stays
// light) and an SSL check 14 h old; its registration check is fresh. One sweep of the real
// scheduler queues every SSL check at once; 1 worker process, then 2 (real child processes,
// each with SSLTRACKR_CHECK_CONCURRENCY=25), check the whole set. The clock of the second
// sweep is 14 h ahead, so the same set is due again. Asserted: each domain's stream got exactly
// one SSL check event in each round (no duplicates, none missed). Reported: checks/s for 1 and
// 2 processes and their ratio.
//
// Politeness, deliberately: the gate stays on (its two round trips per connection are part
// of a check's cost) with 25 connections per address and no spacing, so it never throttles
// the run; with the defaults (2 per address, 100 ms apart) 4 addresses cap any number of
// workers at 40 connections/s, which would measure the setting, not the workers.
//
// Also measured: what the queue costs per job. In this process, pg-boss jobs with a handler
// that does nothing, drained by the product's WorkerPool at the same concurrency (the per-job
// time is the queue's whole round trip: fetch, complete, lease renewal), against calling the
// same handler directly.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkHistoryProjection } from "../../projections/checkHistory.js";
import { allProjections } from "../../projections/index.js";
import { domainsProjection } from "../../projections/domains.js";
import { checkSsl } from "../../src/checkers/ssl/checkSsl.js";
import type { SslCheckOk } from "../../src/checkers/ssl/result.js";
import { domainStream, type DomainStreamCommand, type DomainStreamEvent, type DomainStreamState } from "../../src/domains/domainStream.js";
import { domainStreamName } from "../../src/domains/events.js";
import { fold } from "../../src/infrastructure/commandHandling/decider.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { LeaderSession } from "../../src/infrastructure/postgres/leaderLock.js";
import { ensureCheckpoint, saveCheckpoint } from "../../src/infrastructure/projections/checkpoints.js";
import { ProjectionRunner } from "../../src/infrastructure/projections/projectionRunner.js";
import { JobQueue, type FetchedJob } from "../../src/infrastructure/queue/jobQueue.js";
import { WorkerPool } from "../../src/infrastructure/queue/workerPool.js";
import { DEFAULT_ALERT_SETTINGS } from "../../src/monitoring/alertSettings.js";
import { CHECK_QUEUE, ensureCheckQueue } from "../../src/monitoring/checkJobs.js";
import { CheckScheduler } from "../../src/monitoring/scheduler/checkScheduler.js";
import { registrationCheckOk } from "../../test/support/checkFixtures.js";
import { createPki, startTlsServer, type RunningServer } from "../../test/support/pki.js";
import { startWorkerProcess, type WorkerProcess } from "../../test/support/workerProcess.js";
import { openBenchInfrastructure } from "../support/app.js";
import { createBenchDatabase, type BenchDatabase } from "../support/database.js";
import { appendHistories, type DomainHistory } from "../support/domainHistory.js";
import type { Measurement } from "../support/report.js";
import type { BenchOptions, Workload } from "../support/workload.js";

const HOUR = 3_600_000;
const SERVERS = 4;
const CONCURRENCY = 25;
const LEASE_SECONDS = 60;
/** The hostname of domain `i`: server i mod SERVERS. */
const hostOf = (i: number) => `d${i}.s${i % SERVERS}.w10.test`;
const addressOf = (server: number) => `127.0.0.${server + 2}`;

/** The environment of every worker process (see the header for the politeness settings). */
function workerEnv(caFile: string): Record<string, string> {
  return {
    SSLTRACKR_RESOLVE: Array.from({ length: SERVERS }, (_, s) => `*.s${s}.w10.test=${addressOf(s)}`).join(","),
    SSLTRACKR_EXTRA_CA_FILE: caFile,
    SSLTRACKR_CHECK_CONCURRENCY: String(CONCURRENCY),
    SSLTRACKR_CHECK_LEASE_SECONDS: String(LEASE_SECONDS),
    SSLTRACKR_TARGET_MAX_CONNECTIONS: String(CONCURRENCY),
    SSLTRACKR_TARGET_MIN_SPACING_MS: "0",
    SSLTRACKR_SCHEDULER: "false",
    SSLTRACKR_CHECK_ON_CREATE: "false",
    SSLTRACKR_DB_POOL_MAX: "6",
    OTEL_SDK_DISABLED: "true",
  };
}

/** A domain as the deciders write it: added, SSL-checked (`probe` at `sslAt`), registration-checked at `whoisAt`. */
function checkedDomain(userId: string, i: number, port: number, probe: SslCheckOk, sslAt: Date, whoisAt: Date): DomainHistory {
  const domainId = randomUUID();
  const hostname = hostOf(i);
  const events: DomainStreamEvent[] = [];
  let state: DomainStreamState = domainStream.decider.initialState();
  const run = (command: DomainStreamCommand) => {
    const decided = domainStream.decider.decide(command, state);
    state = fold(domainStream.decider, state, decided);
    events.push(...decided);
  };
  const envelope = (now: Date) => ({ checkId: randomUUID(), trigger: "scheduled" as const, settings: DEFAULT_ALERT_SETTINGS, now });
  run({ type: "AddDomain", domainId, userId, hostname, port, notes: null, tags: ["bench"], now: new Date(sslAt.getTime() - 60_000) });
  const at = sslAt.toISOString();
  run({ type: "RecordSslCheck", ...envelope(sslAt), result: { ...probe, hostname, port, checked_at: at, graded_at: at } });
  run({ type: "RecordWhoisCheck", ...envelope(whoisAt), result: registrationCheckOk({ hostname, now: whoisAt }) });
  return { domainId, streamName: domainStreamName(domainId), events };
}

interface Round {
  readonly processes: number;
  readonly perSecond: number;
  readonly note: string;
}

/** One sweep, then `processes` workers check the whole set; asserts one SSL event per domain. */
async function round(db: BenchDatabase, sweep: () => Promise<number>, domains: number, processes: number, worker: { env: Record<string, string>; nodeArgs: string[] }, log: (m: string) => void): Promise<Round> {
  const pool = db.pool(2);
  const workers: WorkerProcess[] = [];
  try {
    for (let p = 0; p < processes; p++) workers.push(await startWorkerProcess(db.url, worker.env, worker.nodeArgs));
    const { rows: started } = await pool.query<{ at: Date }>("select clock_timestamp() as at");
    const from = started[0]!.at;
    const queued = await sweep();
    if (queued !== domains) throw new Error(`the sweep queued ${queued} jobs, expected ${domains}`);
    // A round that stops making progress (a worker died, a lease is stuck) fails, with their logs.
    let progress = { pending: -1, at: Date.now() };
    for (;;) {
      const { rows } = await pool.query<{ pending: number; failed: number }>(
        `select count(*) filter (where state in ('created', 'retry', 'active'))::int as pending,
                count(*) filter (where state = 'failed')::int as failed
           from pgboss.job where name = $1`,
        [CHECK_QUEUE],
      );
      if (rows[0]!.failed > 0) throw new Error(`${rows[0]!.failed} check jobs failed:\n${workers.map((w) => w.output()).join("\n")}`);
      if (rows[0]!.pending === 0) break;
      if (rows[0]!.pending !== progress.pending) progress = { pending: rows[0]!.pending, at: Date.now() };
      else if (Date.now() - progress.at > 3 * LEASE_SECONDS * 1000) {
        throw new Error(`no check finished in ${3 * LEASE_SECONDS} s (${rows[0]!.pending} pending):\n${workers.map((w) => w.output()).join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const { rows: done } = await pool.query<{ seconds: number }>(
      "select extract(epoch from max(completed_on) - $1::timestamptz)::float8 as seconds from pgboss.job where name = $2 and completed_on >= $1",
      [from, CHECK_QUEUE],
    );
    const seconds = done[0]!.seconds;
    // The events are the record: exactly one SSL check per domain stream in this round.
    const { rows: events } = await pool.query<{ streams: number; events: number; most: number; check_ids: number; light: number; failed: number }>(
      `select count(*)::int as streams, sum(n)::int as events, max(n)::int as most, sum(ids)::int as check_ids,
              sum(light)::int as light, sum(failed)::int as failed
         from (select stream_name, count(*) as n, count(distinct data->>'checkId') as ids,
                      count(*) filter (where data->'result'->>'probe' = 'light') as light,
                      count(*) filter (where event_type like 'SslCheckFailed%') as failed
                 from eventstore.events
                where event_type like 'SslCheck%' and created_at >= $1
                group by stream_name) per_domain`,
      [from],
    );
    const e = events[0]!;
    if (e.streams !== domains || e.events !== domains || e.most !== 1) {
      throw new Error(`${processes} process(es): ${e.events} SSL check events on ${e.streams} of ${domains} domains (at most ${e.most} on one)`);
    }
    const perSecond = domains / seconds;
    log(`${processes} worker process(es): ${domains} checks in ${seconds.toFixed(1)} s, ${perSecond.toFixed(0)} checks/s; ${e.light} light, ${e.failed} failed, 0 duplicates`);
    return { processes, perSecond, note: `${processes} process(es): ${domains} domains, ${e.events} check events (one per domain, ${e.check_ids} check ids), ${e.light} expiry checks, ${e.failed} failed` };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await pool.end();
  }
}

/** Per job, in ms: pg-boss round trips through WorkerPool with a no-op handler, against calling it directly. */
async function queueOverhead(db: BenchDatabase, jobs: number): Promise<{ queuedMs: number; directMs: number }> {
  const queue = await JobQueue.open({ databaseUrl: db.url, poolMax: 4, onError: () => undefined, maintenanceSeconds: null });
  try {
    await queue.ensureQueue("bench_noop", { leaseSeconds: LEASE_SECONDS, retryLimit: 0, retryDelaySeconds: 1 });
    const handle = async (job: FetchedJob<unknown>) => ({ id: job.id });
    await queue.insert("bench_noop", Array.from({ length: jobs }, (_, i) => ({ data: { i }, key: `noop:${i}`, priority: 0 })));
    const pool = new WorkerPool<unknown>(queue, { queue: "bench_noop", concurrency: CONCURRENCY, pollMs: 50, renewMs: (LEASE_SECONDS * 1000) / 3, handle, onError: () => undefined });
    let started = performance.now();
    pool.start();
    // Looked at every 2 ms (a busy loop would take a core from the pool and PostgreSQL).
    while (pool.finished < jobs) await new Promise((r) => setTimeout(r, 2));
    const queuedMs = (performance.now() - started) / jobs;
    await pool.stop();
    const job: FetchedJob<unknown> = { id: randomUUID(), data: {} };
    started = performance.now();
    for (let i = 0; i < jobs; i++) await handle(job);
    return { queuedMs, directMs: (performance.now() - started) / jobs };
  } finally {
    await queue.close();
  }
}

export const workers: Workload = {
  ids: [10],
  name: "checks over 1 and 2 worker processes",
  async run({ quick, profileDir, log }: BenchOptions): Promise<Measurement[]> {
    const domains = quick ? 2_000 : 20_000;
    const pki = await createPki();
    const servers: RunningServer[] = [];
    const db = await createBenchDatabase("workers");
    const session = new LeaderSession(db.url);
    try {
      const ca = await pki.createRootCa({ cn: "SSLTrackr Bench Root" });
      const caFile = join(pki.dir, "ca.pem");
      await writeFile(caFile, ca.certPem);
      const leaf = await pki.createLeaf(ca, { cn: "w10.test", sans: Array.from({ length: SERVERS }, (_, s) => `*.s${s}.w10.test`) });
      for (let s = 0; s < SERVERS; s++) servers.push(await startTlsServer({ leaf, host: addressOf(s), hsts: "max-age=31536000" }));
      const env = workerEnv(caFile);
      // `--profile`: each worker process writes a CPU profile when it stops.
      const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
      // Each server's real full probe, as the domains' last one.
      const probes = await Promise.all(
        servers.map(async (server, s) => {
          const result = await checkSsl(
            { hostname: `probe.s${s}.w10.test`, port: server.port },
            { allowPrivateTargets: true, resolveOverrides: new Map([[`probe.s${s}.w10.test`, [addressOf(s)]]]), timeoutMs: 5000, extraCa: [ca.certPem] },
          );
          if (result.outcome !== "ok") throw new Error(`probe of server ${s}: ${result.message}`);
          return result;
        }),
      );
      const seeding = Date.now();
      const infra = await openBenchInfrastructure(db.url, 8);
      try {
        const now = new Date();
        const userId = randomUUID();
        await appendHistories(infra.eventStore, domains, 8, (i) =>
          checkedDomain(userId, i, servers[i % SERVERS]!.port, probes[i % SERVERS]!, new Date(now.getTime() - 14 * HOUR), now),
        );
        await new ProjectionRunner(infra.knex, infra.eventStore, [domainsProjection, checkHistoryProjection]).catchUp();
        const head = await infra.eventStore.headPosition();
        for (const p of allProjections.filter((p) => p !== domainsProjection && p !== checkHistoryProjection)) {
          await ensureCheckpoint(infra.knex, p.name);
          await infra.knex.transaction((trx) => saveCheckpoint(trx, p.name, head!, 0));
        }
        await infra.knex.raw("vacuum analyze domains");
        await ensureCheckQueue(infra.queue, LEASE_SECONDS);
        log(`seeded ${domains} checked domains on ${SERVERS} TLS servers in ${((Date.now() - seeding) / 1000).toFixed(0)} s`);
        // The sweeps' clock: round 2's is 14 h ahead, so round 1's checks are due again and the registration checks not yet.
        let sweepAt = now;
        // One sweep queues the whole round (the workload measures the workers, not the sweep's bound).
        const scheduler = new CheckScheduler(
          { knex: infra.knex, leaderSession: session, queue: infra.queue, owner: "bench", clock: { now: () => sweepAt }, logger: createLogger("silent") },
          { tickSeconds: 30, sslIntervalMs: 12 * HOUR, whoisIntervalMs: 24 * HOUR, sweepMaxJobs: domains },
        );
        if (!(await scheduler.leader.tryLead())) throw new Error("could not lead the schedule");
        const one = await round(db, () => scheduler.sweep(), domains, 1, { env, nodeArgs }, log);
        sweepAt = new Date(now.getTime() + 14 * HOUR);
        const two = await round(db, () => scheduler.sweep(), domains, 2, { env, nodeArgs }, log);
        const overhead = await queueOverhead(db, quick ? 1_000 : 5_000);
        log(`queue round trip ${overhead.queuedMs.toFixed(3)} ms a job, direct call ${(overhead.directMs * 1000).toFixed(2)} µs`);
        const name = `${domains.toLocaleString("en-US")} domains on ${SERVERS} local TLS servers, all due at once (expiry checks, ${CONCURRENCY} in flight per process)`;
        return [
          { id: "10", workload: `${name}: 1 worker process`, unit: "checks/s", values: [one.perSecond], target: { kind: "report" }, note: one.note },
          {
            id: "10'",
            workload: `${name}: 2 worker processes`,
            unit: "checks/s",
            values: [two.perSecond],
            reference: { name: "1 process", values: [one.perSecond] },
            target: { kind: "report" },
            note: two.note,
          },
          {
            id: "10q",
            workload: `queue round trip per job (pg-boss via WorkerPool, no-op handler, ${CONCURRENCY} in flight, drained)`,
            unit: "µs",
            values: [overhead.queuedMs * 1000],
            reference: { name: "the same handler called directly", values: [overhead.directMs * 1000] },
            target: { kind: "report" },
            note: `against ${((CONCURRENCY / one.perSecond) * 1000).toFixed(1)} ms a check takes in flight (1 process)`,
          },
        ];
      } finally {
        await infra.close();
      }
    } finally {
      await session.close();
      await Promise.allSettled(servers.map((s) => s.close()));
      await db.drop();
      await pki.cleanup();
    }
  },
};
