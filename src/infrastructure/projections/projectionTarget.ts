// Where a projection's batches go: its live tables (in its schema) or, while it is rebuilt,
// shadow copies in a schema of their own. Handlers name tables unqualified; the target's
// search_path decides which copy they write.
import type { Partition } from "./partition.js";
import type { Projection } from "./projection.js";

export interface ProjectionTarget {
  /** Name of the checkpoint row that tracks this target. */
  readonly checkpoint: string;
  readonly searchPath: string;
}

export const liveTarget = (p: Projection): ProjectionTarget => ({
  checkpoint: p.name,
  searchPath: p.schema === "public" ? "public" : `${p.schema}, public`,
});

export const shadowSchemaOf = (p: Projection): string => `rebuild_${p.name}`;

/** Each partition of a rebuild has a checkpoint of its own; all write the same shadow tables. */
export const shadowCheckpoint = (p: Projection, partition: Partition): string =>
  partition.count === 1 ? `${p.name}@rebuild` : `${p.name}@rebuild#${partition.index}/${partition.count}`;

export const shadowTarget = (p: Projection, partition: Partition): ProjectionTarget => ({
  checkpoint: shadowCheckpoint(p, partition),
  searchPath: `${shadowSchemaOf(p)}, ${liveTarget(p).searchPath}`,
});
