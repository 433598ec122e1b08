// "Never two checks of one domain at once", across processes: a check first claims
// (domain, kind) with a lease. A process that dies mid-check leaves a claim that expires,
// after which the check is due again and another process takes it.
import type { Knex } from "knex";

export type CheckKind = "ssl" | "whois";

export async function ensureCheckClaimsTable(knex: Knex): Promise<void> {
  await knex.raw(`create table if not exists check_claims (
    domain_id  uuid not null,
    kind       text not null,
    owner      text not null,
    claimed_at timestamptz not null default now(),
    expires_at timestamptz not null,
    primary key (domain_id, kind)
  )`);
}

export class CheckClaims {
  constructor(
    private readonly knex: Knex,
    readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** True if this process now holds the claim (free, expired, or already its own). */
  async tryClaim(domainId: string, kind: CheckKind): Promise<boolean> {
    const { rows } = await this.knex.raw<{ rows: unknown[] }>(
      `insert into check_claims (domain_id, kind, owner, expires_at)
       values (?, ?, ?, now() + make_interval(secs => ?))
       on conflict (domain_id, kind) do update
         set owner = excluded.owner, claimed_at = now(), expires_at = excluded.expires_at
         where check_claims.expires_at < now() or check_claims.owner = excluded.owner
       returning owner`,
      [domainId, kind, this.owner, this.leaseMs / 1000],
    );
    return rows.length === 1;
  }

  async release(domainId: string, kind: CheckKind): Promise<void> {
    await this.knex("check_claims").where({ domain_id: domainId, kind, owner: this.owner }).delete();
  }

  /** Claims currently held, for `scheduler status`. */
  async active(): Promise<{ domain_id: string; kind: CheckKind; owner: string; claimed_at: Date; expires_at: Date }[]> {
    return this.knex("check_claims").where("expires_at", ">", this.knex.fn.now()).orderBy("claimed_at");
  }
}
