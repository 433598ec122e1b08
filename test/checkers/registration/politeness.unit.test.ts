import { expect } from "chai";
import { LookupFailure } from "../../../src/checkers/registration/failure.js";
import { politely, ServerLimiter } from "../../../src/checkers/registration/politeness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("per-server politeness", () => {
  const options = { maxConcurrent: 1, minIntervalMs: 0, backoffMs: 60_000, maxBackoffMs: 3_600_000 };

  it("runs at most maxConcurrent queries per server, other servers in parallel", async () => {
    const limiter = new ServerLimiter(options);
    let inFlight = 0;
    let peak = 0;
    const job = async () => {
      peak = Math.max(peak, ++inFlight);
      await sleep(20);
      inFlight--;
    };
    await Promise.all([limiter.run("a", job), limiter.run("a", job), limiter.run("a", job)]);
    expect(peak).to.equal(1);
    peak = 0;
    await Promise.all([limiter.run("a", job), limiter.run("b", job)]);
    expect(peak).to.equal(2);
  });

  it("spaces query starts on one server by minIntervalMs", async () => {
    const limiter = new ServerLimiter({ ...options, maxConcurrent: 5, minIntervalMs: 80 });
    const starts: number[] = [];
    await Promise.all([1, 2, 3].map(() => limiter.run("a", () => Promise.resolve(starts.push(Date.now())))));
    expect(starts[1]! - starts[0]!).to.be.at.least(70);
    expect(starts[2]! - starts[1]!).to.be.at.least(70);
  });

  it("backs off after a throttle answer and does not ask the server meanwhile", async () => {
    const limiter = new ServerLimiter(options);
    const throttled = () => Promise.reject(new LookupFailure("rate_limited", "slow down"));
    const first = await politely(limiter, "whois.test", throttled).catch((e: LookupFailure) => e);
    expect(first).to.include({ reason: "rate_limited", retryAfterSeconds: 60 });
    let asked = false;
    const second = await politely(limiter, "whois.test", () => Promise.resolve((asked = true))).catch((e: LookupFailure) => e);
    expect(asked).to.equal(false);
    expect(second).to.be.instanceOf(LookupFailure).and.include({ reason: "rate_limited" });
  });

  it("doubles the backoff on repeated throttles and honours Retry-After", () => {
    const limiter = new ServerLimiter(options);
    expect(limiter.reportThrottle("a")).to.equal(60_000);
    expect(limiter.reportThrottle("a")).to.equal(120_000);
    expect(limiter.reportThrottle("b", 5_000)).to.equal(5_000);
  });
});
