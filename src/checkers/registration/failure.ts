// A lookup step that did not produce an answer to parse, with its machine-readable reason.
import type { FailureReason, RawAnswer } from "./result.js";

export class LookupFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    /** the answer that led to the failure (throttle or "no match" text), for audit */
    readonly raw: RawAnswer[] = [],
  ) {
    super(message);
    this.name = "LookupFailure";
  }
}

/** Maps a socket/fetch error to a failure reason; timeouts are told apart from refusals. */
export function networkFailure(err: unknown, what: string): LookupFailure {
  if (err instanceof LookupFailure) return err;
  const e = err as { name?: string; code?: string; cause?: { code?: string }; message?: string };
  const code = e.code ?? e.cause?.code ?? e.name ?? "error";
  // An AbortSignal.timeout() reason is a DOMException: its name says it, its code is numeric.
  if (e.name === "TimeoutError" || e.name === "AbortError" || code === "ETIMEDOUT") {
    return new LookupFailure("timeout", `${what}: timed out`);
  }
  return new LookupFailure("connection_error", `${what}: ${code}${e.message ? ` (${e.message})` : ""}`);
}
