import { expect } from "chai";
import { createLogger } from "../../../src/infrastructure/logging/logger.js";

describe("structured logger (unit)", () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger("debug", { service: "test" }, (l) => lines.push(l)) };
  };

  it("writes one JSON object per line with level, message, time and fields", () => {
    const { lines, logger } = capture();
    logger.child({ requestId: "r-1" }).info("request", { status: 201, position: 5n });
    expect(lines).to.have.length(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).to.include({ level: "info", message: "request", service: "test", requestId: "r-1", status: 201, position: "5" });
    expect(Number.isNaN(Date.parse(String(entry["time"])))).to.equal(false);
  });

  it("never writes credentials: secret-looking fields are masked and API keys cut to their prefix", () => {
    const { lines, logger } = capture();
    const key = "ssa_live_QwErTy0123456789abcdefghijklmnopqrstuvwxyz";
    logger.error("failed", {
      headers: { authorization: `Bearer ${key}`, "x-request-id": "abc" },
      apiKey: key,
      secret: "whsec_verysecret",
      password: "hunter2",
      detail: `could not use ${key} here`,
      err: new Error(`bad key ${key}`),
    });
    const line = lines[0]!;
    expect(line).to.not.include("QwErTy0123456789");
    expect(line).to.not.include("whsec_verysecret");
    expect(line).to.not.include("hunter2");
    const entry = JSON.parse(line) as { headers: Record<string, string>; detail: string; err: { message: string } };
    expect(entry.headers["authorization"]).to.equal("[redacted]");
    expect(entry.headers["x-request-id"]).to.equal("abc");
    expect(entry.detail).to.equal("could not use ssa_live_… here");
    expect(entry.err.message).to.equal("bad key ssa_live_…");
  });

  it("drops entries below its level", () => {
    const lines: string[] = [];
    const logger = createLogger("warn", {}, (l) => lines.push(l));
    logger.info("quiet");
    logger.warn("loud");
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).to.deep.equal(["loud"]);
  });
});
