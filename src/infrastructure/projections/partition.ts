// Partitions of the log by stream, for rebuilding per-stream read models in several processes
// at once: every event of a stream falls in the same partition, so each partition's rows
// depend on its own events only.

export interface Partition {
  /** 0 .. count - 1 */
  readonly index: number;
  readonly count: number;
}

export const WHOLE_LOG: Partition = { index: 0, count: 1 };

/** FNV-1a (32 bit) of the stream name: stable across processes, versions and event stores. */
export function streamHash(streamName: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < streamName.length; i++) {
    hash ^= streamName.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const inPartition = (streamName: string, partition: Partition): boolean => partition.count === 1 || hashInPartition(streamHash(streamName), partition);

/** Whether a stream of this streamHash falls in `partition`: for a caller that sorts an event into several. */
export const hashInPartition = (hash: number, partition: Partition): boolean => hash % partition.count === partition.index;

/** "1/2" (the second of two), as `ssltrackr projections rebuild --partition` takes it. */
export function parsePartition(text: string): Partition {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 64 || index >= count) throw new Error(`--partition: expected k/n with 0 <= k < n <= 64, got "${text}"`);
  return { index, count };
}
