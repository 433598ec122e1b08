// Waiting in tests for what happens asynchronously (a projection, a delivery, a NOTIFY): every
// wait polls the same way and, when it gives up, says what it waited for.

/** What a probe answers: undefined or false while the awaited state is not there yet. */
type Probed<T> = T | undefined | false;

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined or false,
 * and returns that. After `timeoutMs` it throws an Error naming `what`; given as a function,
 * `what` is asked only then, so the message can tell the state the wait ended in (counts,
 * the last value read).
 */
export async function eventually<T>(
  what: string | (() => string),
  probe: () => Probed<T> | Promise<Probed<T>>,
  { timeoutMs = 10_000, intervalMs = 20 } = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`${typeof what === "string" ? what : what()}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
