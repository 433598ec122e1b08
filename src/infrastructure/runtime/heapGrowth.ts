// How far V8 lets the old generation grow past what the last full GC left alive. V8 picks the
// factor per GC from its allocation and marking speeds, up to 4x when the heap limit is large
// (any machine with a few GB): under a burst of requests the server's ~30 MB live set becomes
// 120 MB of heap before the next mark-compact, most of the server's peak RSS
// (bench/profiles/8-memory.md). A fixed factor keeps the peak near the live set, for about one
// more mark-compact (~30 ms, mostly concurrent) every few seconds under load.
import v8 from "node:v8";

/**
 * Sets V8's heap growing factor to 1 + `percent`/100 for the rest of the process; 0 leaves V8
 * its own dynamic factor. V8 reads the flag at every full GC, so it applies from the next one.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
