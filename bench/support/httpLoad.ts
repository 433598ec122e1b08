// HTTP load with autocannon, reduced to what the results table needs.
import autocannon from "autocannon";

export interface LoadResult {
  /** 2xx responses per second. */
  readonly okPerSecond: number;
  readonly p99Ms: number;
  readonly failures: number;
}

export async function httpLoad(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon(options);
  return {
    okPerSecond: result["2xx"] / result.duration,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
