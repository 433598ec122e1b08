// What `ssltrackr scheduler status` shows, readable from any process: who leads (its
// heartbeat), what is due now, what is being checked (live claims) and which domains' last
// check failed (the read model's failure flags).
import type { Knex } from "knex";
import type { CheckClaims, CheckKind } from "../checkClaims.js";
import { DueChecks, kindsFlagged, type CheckIntervals } from "./dueChecks.js";
import { currentLeader, type LeaderInfo } from "./schedulerLeader.js";

/** Failing domains listed in full; beyond this only their count. */
const FAILING_LISTED = 50;

export interface SchedulerStatus {
  readonly leader: LeaderInfo | null;
  readonly due: Record<CheckKind, number>;
  readonly running: {
    readonly domainId: string;
    readonly hostname: string | null;
    readonly kind: CheckKind;
    readonly owner: string;
    readonly claimedAt: Date;
    readonly expiresAt: Date;
  }[];
  readonly failing: {
    readonly count: Record<CheckKind, number>;
    readonly domains: { readonly domainId: string; readonly hostname: string; readonly kinds: CheckKind[] }[];
  };
}

export async function schedulerStatus(
  knex: Knex,
  claims: Pick<CheckClaims, "active">,
  intervals: CheckIntervals,
  now: Date,
): Promise<SchedulerStatus> {
  const [leader, due, held, failing] = await Promise.all([
    currentLeader(knex),
    new DueChecks(knex, intervals).count(now),
    claims.active(),
    failingDomains(knex),
  ]);
  const hostnames = await hostnamesOf(knex, held.map((c) => c.domain_id));
  return {
    leader,
    due,
    running: held.map((c) => ({
      domainId: c.domain_id,
      hostname: hostnames.get(c.domain_id) ?? null,
      kind: c.kind,
      owner: c.owner,
      claimedAt: c.claimed_at,
      expiresAt: c.expires_at,
    })),
    failing,
  };
}

const monitored = (knex: Knex) => knex("domains").where("is_active", true).whereNull("deleted_at");

async function failingDomains(knex: Knex): Promise<SchedulerStatus["failing"]> {
  const [counts] = await monitored(knex).select(
    knex.raw("count(*) filter (where ssl_check_failed) as ssl"),
    knex.raw("count(*) filter (where whois_check_failed) as whois"),
  );
  const rows = await monitored(knex)
    .where((q) => q.where("ssl_check_failed", true).orWhere("whois_check_failed", true))
    .orderBy("hostname")
    .limit(FAILING_LISTED)
    .select<{ id: string; hostname: string; ssl_check_failed: boolean | null; whois_check_failed: boolean | null }[]>(
      "id",
      "hostname",
      "ssl_check_failed",
      "whois_check_failed",
    );
  const count = counts as { ssl: string; whois: string } | undefined;
  return {
    count: { ssl: Number(count?.ssl ?? 0), whois: Number(count?.whois ?? 0) },
    domains: rows.map((r) => ({
      domainId: r.id,
      hostname: r.hostname,
      kinds: kindsFlagged(r.ssl_check_failed, r.whois_check_failed),
    })),
  };
}

async function hostnamesOf(knex: Knex, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await knex("domains").whereIn("id", ids).select<{ id: string; hostname: string }[]>("id", "hostname");
  return new Map(rows.map((r) => [r.id, r.hostname]));
}
