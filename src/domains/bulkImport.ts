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
import { ConflictError } from "../shared/errors.js";
import type { RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import { combineWritten, type Written } from "../infrastructure/commandHandling/written.js";
import type { DomainCommands } from "./domainCommands.js";
import type { createDomainBody } from "./domainRoutes.js";

/** Rows per request, the published limit of POST /domains/bulk. */
export const BULK_MAX_ROWS = 1000;
/** Rows added at once: enough to keep the event store busy without taking every connection. */
const CONCURRENCY = 16;

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
 * Adds the valid rows (CONCURRENCY at a time) and answers every row, in request order.
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

  let position: Written | null = null;
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const { index, row, requestedHostname } = pending[next++]!;
      const { hostname, port } = row;
      try {
        const added = await commands.add(ctx, { hostname, requestedHostname, port, notes: row.notes ?? null, tags: row.tags });
        results[index] = { index, status: 201, id: added.domainId, hostname, port };
        position = combineWritten(position, added.position);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        results[index] = { index, status: 409, error: err.message, id: await existingId(hostname, port), hostname, port };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pending.length) }, worker));
  return { results, position };
}
