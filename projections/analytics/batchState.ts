// What an analytics batch needs from its tables, read in one statement per batch whatever its
// size: the open day, the owners of the domains it checks, and the certificates those
// domains served before it (the renewal baselines).
import type { Knex } from "knex";
import { certificateKey, type Baseline } from "./certificateRenewals.js";
import type { BatchNeeds, BatchState } from "./fold.js";
import { ANALYTICS } from "./tables.js";

interface StoredBaseline extends Baseline {
  readonly domain_id: string;
  readonly hostname: string;
  readonly port: number;
}

/** Instants come back as JSON text in the session's zone: ISO in UTC like the events'. */
const iso = (text: string) => new Date(text).toISOString();

/** A list of ids, passed as one JSON parameter. */
const IDS = "select (jsonb_array_elements_text(?::jsonb))::uuid";

export async function readBatchState(trx: Knex.Transaction, needs: BatchNeeds): Promise<BatchState> {
  const result = await trx.raw<{ rows: { open_day: string | null; owners: Record<string, string>; baselines: StoredBaseline[] }[] }>(
    `select
       (select open_day::text from ??) as open_day,
       (select coalesce(jsonb_object_agg(domain_id::text, user_id), '{}') from ?? where domain_id in (${IDS})) as owners,
       (select coalesce(jsonb_agg(b), '[]')
        from jsonb_to_recordset(?::jsonb) as k(domain_id uuid, hostname text, port int)
        cross join lateral (
          select c.domain_id, c.hostname, c.port, c.fingerprint_sha256, c.issuer, c.valid_to, c.checked_at
          from ?? c
          where c.domain_id = k.domain_id and c.hostname = k.hostname and c.port = k.port and c.check_id not in (${IDS})
          order by c.valid_to desc, c.checked_at desc
          limit 1
        ) b) as baselines`,
    [
      ANALYTICS.dailyStatusCursor,
      ANALYTICS.domains,
      JSON.stringify(needs.owners),
      JSON.stringify(needs.certificates),
      ANALYTICS.certificateChecks,
      JSON.stringify(needs.checkIds),
    ],
  );
  const row = result.rows[0];
  if (!row) throw new Error("analytics: the batch state read returned no row");
  return {
    openDay: row.open_day,
    owners: new Map(Object.entries(row.owners)),
    baselines: new Map(
      row.baselines.map((b) => [
        certificateKey(b.domain_id, b.hostname, b.port),
        { fingerprint_sha256: b.fingerprint_sha256, issuer: b.issuer, valid_to: iso(b.valid_to), checked_at: iso(b.checked_at) },
      ]),
    ),
  };
}
