// Queries on check history: the latest check of a kind (GET /domains/{id}/ssl, /whois)
// and the record over time (/history). Days remaining are recomputed against the clock.
// The latest facts are those of the domain's current target (issue #10, 4): SSL checks of its
// hostname and port, registration checks of its hostname. History keeps every check, each
// labelled with the target it was for (taken from the recorded result).
import type { Knex } from "knex";
import { SSL_CHECKS_TABLE, WHOIS_CHECKS_TABLE } from "../../projections/checkHistory.js";
import { DOMAINS_TABLE } from "../../projections/domains.js";
import { sslCheckOkSchema, upcastStoredSslCheckOk, type SslCheckOk } from "../checkers/ssl/result.js";
import { registrationCheckOk } from "../checkers/registration/result.js";
import { daysUntil, type Clock } from "../shared/clock.js";
import { lifetimeDays } from "./relativeExpiry.js";
import { paginate } from "../infrastructure/postgres/pagination.js";
import type { CheckKind } from "./checkJobs.js";
import type { LatestSslCheck, LatestWhoisCheck } from "./monitoringApi.js";

interface CheckRow {
  id: string;
  domain_id: string;
  outcome: "ok" | "failed";
  trigger: string;
  checked_at: Date;
  result: unknown;
}

const tableOf = (kind: CheckKind) => (kind === "ssl" ? SSL_CHECKS_TABLE : WHOIS_CHECKS_TABLE);

/** What a check was of: hostname and port for SSL, the hostname for a registration. */
export interface CheckTarget {
  readonly hostname: string;
  readonly port: number;
}

/** Rows of checks of `target` (the result records the canonical name the checker was given). */
const ofTarget = (kind: CheckKind, target: CheckTarget) => (q: Knex.QueryBuilder) => {
  q.whereRaw("result->>'hostname' = ?", [target.hostname]);
  if (kind === "ssl") q.andWhereRaw("result->>'port' = ?", [String(target.port)]);
};

/** The target label of a history row: hostname, and port for SSL checks. */
const labelOf = (kind: CheckKind, result: unknown) => {
  const r = result as { hostname?: unknown; port?: unknown };
  const hostname = String(r.hostname);
  return kind === "ssl" ? { hostname, port: Number(r.port) } : { hostname };
};

/** The reason, message and time of a failed check row (either kind). */
const failureOf = (row: CheckRow | undefined) => {
  if (!row) return null;
  const r = row.result as { reason?: unknown; message?: unknown };
  return { reason: String(r.reason), message: String(r.message), checked_at: row.checked_at.toISOString() };
};

export class CheckQueries {
  constructor(
    private readonly knex: Knex,
    private readonly clock: Clock,
  ) {}

  /** The latest successful SSL check of `target`, with the newest failure after it (if any). */
  async latestSsl(domainId: string, target: CheckTarget): Promise<LatestSslCheck | null> {
    const { ok, failedSince } = await this.latest(domainId, "ssl", target);
    if (!ok) return null;
    // Rows projected from older events before an upgrade lack the newer fields.
    const r = sslCheckOkSchema.parse(upcastStoredSslCheckOk(ok.result as Record<string, unknown>));
    const now = this.clock.now();
    const { outcome: _o, hostname: _h, port: _p, endpoints, ...facts } = r;
    return {
      id: ok.id,
      domain_id: ok.domain_id,
      ...facts,
      days_remaining: daysUntil(new Date(r.valid_to), now),
      earliest_expiry: { ...r.earliest_expiry, days_remaining: daysUntil(new Date(r.earliest_expiry.valid_to), now) },
      endpoints,
      checked_at: r.checked_at,
      probe: r.probe ?? "full",
      graded_at: r.graded_at ?? r.checked_at,
      lifetime_days: Math.round(lifetimeDays(r.valid_from, r.valid_to) * 100) / 100,
      renewal_window: await this.renewalWindow(domainId, r.fingerprint_sha256),
      last_failure: failureOf(failedSince),
    };
  }

  /** The CA's renewal window (ARI) for the leaf `fingerprint`, when the last one fetched is about it. */
  private async renewalWindow(domainId: string, fingerprint: string): Promise<LatestSslCheck["renewal_window"]> {
    const row = (await this.knex(DOMAINS_TABLE)
      .select("ari_window_start", "ari_window_end", "ari_explanation_url", "ari_fetched_at")
      .where({ id: domainId, ari_fingerprint: fingerprint })
      .first()) as { ari_window_start: Date; ari_window_end: Date; ari_explanation_url: string | null; ari_fetched_at: Date } | undefined;
    if (!row) return null;
    return {
      start: row.ari_window_start.toISOString(),
      end: row.ari_window_end.toISOString(),
      explanation_url: row.ari_explanation_url,
      fetched_at: row.ari_fetched_at.toISOString(),
    };
  }

  /** The latest successful full probe of a domain (results without `probe` were all full). */
  async lastFullProbe(domainId: string, target: CheckTarget): Promise<SslCheckOk | null> {
    const row = await this.knex(SSL_CHECKS_TABLE)
      .where({ domain_id: domainId, outcome: "ok" })
      .andWhere(ofTarget("ssl", target))
      .whereRaw("coalesce(result->>'probe', 'full') = 'full'")
      .orderBy("checked_at", "desc")
      .first<CheckRow | undefined>();
    return row ? sslCheckOkSchema.parse(upcastStoredSslCheckOk(row.result as Record<string, unknown>)) : null;
  }

  /** The latest successful registration check of `target`'s hostname, with the newest failure after it. */
  async latestWhois(domainId: string, target: CheckTarget): Promise<LatestWhoisCheck | null> {
    const { ok, failedSince } = await this.latest(domainId, "whois", target);
    if (!ok) return null;
    const r = registrationCheckOk.parse(ok.result);
    const now = this.clock.now();
    return {
      id: ok.id,
      domain_id: ok.domain_id,
      registrar: r.registrar,
      created_date: r.created_date,
      expiry_date: r.expiry_date,
      days_remaining: r.expiry_date ? daysUntil(new Date(r.expiry_date), now) : null,
      dnssec: r.dnssec,
      nameservers: r.nameservers,
      checked_at: r.checked_at,
      domain: r.domain,
      source: r.source,
      server: r.server,
      statuses: r.statuses,
      registry_expiry_date: r.registry_expiry_date,
      registrar_expiry_date: r.registrar_expiry_date,
      field_sources: r.field_sources,
      supplementary_errors: r.supplementary_errors,
      last_failure: failureOf(failedSince),
    };
  }

  async history(domainId: string, kind: CheckKind, page: number, perPage: number) {
    return paginate(
      this.knex,
      this.knex(tableOf(kind)).where({ domain_id: domainId }),
      page,
      perPage,
      (q) => q.select("*").orderBy([{ column: "checked_at", order: "desc" }, { column: "id", order: "desc" }]),
      (row: CheckRow) => ({
        id: row.id,
        ...labelOf(kind, row.result),
        outcome: row.outcome,
        trigger: row.trigger,
        checked_at: row.checked_at.toISOString(),
        result: kind === "ssl" ? upcastStoredSslCheckOk(row.result as Record<string, unknown>) : row.result,
      }),
    );
  }

  private async latest(domainId: string, kind: CheckKind, target: CheckTarget): Promise<{ ok?: CheckRow; failedSince?: CheckRow }> {
    const table = tableOf(kind);
    const ok = await this.knex(table)
      .where({ domain_id: domainId, outcome: "ok" })
      .andWhere(ofTarget(kind, target))
      .orderBy("checked_at", "desc")
      .first<CheckRow | undefined>();
    const failedQuery = this.knex(table).where({ domain_id: domainId, outcome: "failed" }).andWhere(ofTarget(kind, target));
    if (ok) failedQuery.andWhere("checked_at", ">", ok.checked_at);
    const failedSince = await failedQuery.orderBy("checked_at", "desc").first<CheckRow | undefined>();
    return { ...(ok ? { ok } : {}), ...(failedSince ? { failedSince } : {}) };
  }
}
