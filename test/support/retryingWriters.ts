// Clients that create domains concurrently and retry each write, with its own Idempotency-Key,
// until it is answered 201: after a 503 (which must carry Retry-After) and, where the server
// itself may die, after a failed connection. Then the checks every fault test makes: each
// write exists exactly once, under the id its 201 named.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { apiClient } from "./testServer.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface WriteOutcome {
  readonly hostname: string;
  readonly key: string;
  /** What came before the 201: 503 messages and connection failures. */
  readonly failures: string[];
  domainId?: string;
}

export interface WritersOptions {
  readonly workers: number;
  readonly writesPerWorker: number;
  /** The server's base URL now (it may change when the server is restarted). */
  readonly baseUrl: () => string;
  readonly apiKey: string;
  readonly settleWithinMs: number;
  /** Retry when the server cannot be reached (it is being killed and restarted). */
  readonly serverMayDie?: boolean;
  /** Called with the number of writes acknowledged so far, after each one. */
  readonly onAcknowledged?: (count: number) => void;
  /**
   * Keep writing past writesPerWorker until this settles (the faults are over), so the faults
   * always land under load however fast the writes are.
   */
  readonly until?: Promise<unknown>;
}

async function settle(options: WritersOptions, outcome: WriteOutcome, deadline: number, acknowledged: { count: number }): Promise<void> {
  while (Date.now() < deadline) {
    let res;
    try {
      res = await apiClient(options.baseUrl(), options.apiKey).request(
        "POST",
        "/domains",
        { hostname: outcome.hostname },
        { "Idempotency-Key": outcome.key },
      );
    } catch (err) {
      if (!options.serverMayDie) throw err;
      outcome.failures.push(`connection: ${String(err)}`);
      await sleep(100);
      continue;
    }
    if (res.status === 201) {
      outcome.domainId = (res.body as { id: string }).id;
      options.onAcknowledged?.(++acknowledged.count);
      return;
    }
    expect(res.status, `${outcome.hostname}: ${JSON.stringify(res.body)}`).to.equal(503);
    expect(res.headers.get("retry-after"), "a 503 says when to retry").to.match(/^\d+$/);
    outcome.failures.push(String((res.body as { error: string }).error));
    await sleep(100);
  }
  throw new Error(`${outcome.hostname} was not settled in time (${outcome.failures.length} failures)`);
}

/** Runs the writers to the end; every write is settled or this throws. */
export async function runRetryingWriters(prefix: string, options: WritersOptions): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  const deadline = Date.now() + options.settleWithinMs;
  const acknowledged = { count: 0 };
  let over = options.until === undefined;
  const end = () => (over = true);
  void options.until?.then(end, end);
  await Promise.all(
    Array.from({ length: options.workers }, async (_, w) => {
      for (let i = 0; i < options.writesPerWorker || !over; i++) {
        const outcome: WriteOutcome = { hostname: `w${w}-n${i}.${prefix}.example`, key: randomUUID(), failures: [] };
        outcomes.push(outcome);
        await settle(options, outcome, deadline, acknowledged);
      }
    }),
  );
  return outcomes;
}

/** Zero lost, zero duplicated: the API lists each hostname once, under the id its 201 gave. */
export async function expectEachWriteOnce(baseUrl: string, apiKey: string, outcomes: readonly WriteOutcome[]): Promise<void> {
  const client = apiClient(baseUrl, apiKey);
  const listed: { id: string; hostname: string }[] = [];
  for (let page = 1; ; page++) {
    // A pooled connection that died with the database answers once with a 503: retry, as told.
    let res = await client.get(`/domains?per_page=100&page=${page}`);
    for (let attempt = 1; res.status === 503 && attempt < 5; attempt++) {
      await sleep(200);
      res = await client.get(`/domains?per_page=100&page=${page}`);
    }
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    listed.push(...(res.body as { data: { id: string; hostname: string }[] }).data);
    if (page >= (res.body as { pagination: { total_pages: number } }).pagination.total_pages) break;
  }
  expect(listed.map((d) => d.hostname).sort(), "zero duplicates, zero lost").to.deep.equal(outcomes.map((o) => o.hostname).sort());
  const idByHostname = new Map(listed.map((d) => [d.hostname, d.id]));
  for (const o of outcomes) expect(idByHostname.get(o.hostname), o.hostname).to.equal(o.domainId);
}
