// Adding many domains in one request (POST /domains/bulk): every row is validated and added on
// its own, and answered on its own, so one bad or duplicate row never fails the others.
//   201  added (its id)
//   409  already monitored by the caller, or listed twice in this request (the existing id
//        where known: a retry of a bulk request that was cut off answers 409 with the ids the
//        first attempt created, and adds nothing twice)
//   400  the row is invalid (the message names the field)
// An unexpected failure (the database gone) fails the whole request (503/500): rows already
// added stay added, and a retry reports them as 409 with their ids. New domains are checked by
// the scheduler (they are due at once), not each at once by this request.
import type { z } from "zod";
import { eachLimited } from "../shared/eachLimited.js";
import { ConflictError } from "../shared/errors.js";
import type { RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import { combineWritten, type Written } from "../infrastructure/commandHandling/written.js";
import type { DomainCommands } from "./domainCommands.js";
import type { createDomainBody } from "./domainRoutes.js";

/** Rows per request, the published limit of POST /domains/bulk. */
export const BULK_MAX_ROWS = 1000;
/** Lookups of the existing domain of 409 rows in flight at once (a pool's worth, as the adds before). */
const LOOKUPS = 16;
export type BulkRow = z.output<typeof createDomainBody>;

export type BulkRowResult =
  | { readonly index: number; readonly status: 201; readonly id: string; readonly hostname: string; readonly port: number }
  | { readonly index: number; readonly status: 409; readonly error: string; readonly id: string | null; readonly hostname: string; readonly port: number }
  | { readonly index: number; readonly status: 400; readonly error: string };

/** A row as the request sent it: parsed, or the validation error naming its field. */
export type ParsedRow = { readonly ok: true; readonly row: BulkRow; readonly requestedHostname: string } | { readonly ok: false; readonly error: string };

export interface BulkOutcome {
  readonly results: readonly BulkRowResult[];
  readonly position: Written | null;
}

/**
 * Adds the valid rows (DomainCommands.addMany: hundreds of rows a commit where the event store
 * allows) and answers every row, in request order.
 * `existingId` finds the caller's domain on a hostname and port (for 409 answers).
 */
export async function addInBulk(
  commands: DomainCommands,
  ctx: RequestContext & { userId: string },
  rows: readonly ParsedRow[],
  existingId: (hostname: string, port: number) => Promise<string | null>,
): Promise<BulkOutcome> {
  const results: BulkRowResult[] = new Array(rows.length);
  const firstIndex = new Map<string, number>();
  const pending: { index: number; row: BulkRow; requestedHostname: string }[] = [];
  rows.forEach((parsed, index) => {
    if (!parsed.ok) {
      results[index] = { index, status: 400, error: parsed.error };
      return;
    }
    const { hostname, port } = parsed.row;
    const key = `${hostname}:${port}`;
    const first = firstIndex.get(key);
    if (first !== undefined) {
      results[index] = { index, status: 409, error: `${key} is listed twice in this request (row ${first})`, id: null, hostname, port };
      return;
    }
    firstIndex.set(key, index);
    pending.push({ index, ...parsed });
  });

  const outcomes = await commands.addMany(
    ctx,
    pending.map(({ row, requestedHostname }) => ({ hostname: row.hostname, requestedHostname, port: row.port, notes: row.notes ?? null, tags: row.tags })),
  );
  const conflicts: { index: number; hostname: string; port: number; error: string }[] = [];
  pending.forEach(({ index, row: { hostname, port } }, k) => {
    const outcome = outcomes[k]!;
    if (outcome instanceof ConflictError) conflicts.push({ index, hostname, port, error: outcome.message });
    else results[index] = { index, status: 201, id: outcome.domainId, hostname, port };
  });
  // A retried request answers every row 409 with its id: LOOKUPS of them at a time.
  await eachLimited(conflicts, LOOKUPS, async ({ index, hostname, port, error }) => {
    results[index] = { index, status: 409, error, id: await existingId(hostname, port), hostname, port };
  });
  const position = combineWritten(...outcomes.map((o) => (o instanceof ConflictError ? null : o.position)));
  return { results, position };
}
