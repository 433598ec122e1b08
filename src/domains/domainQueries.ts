// Queries on the domains read model. Days remaining are computed from the stored expiry
// instants and the current clock, never frozen at check time.
import DataLoader from "dataloader";
import type { Knex } from "knex";
import { DOMAINS_TABLE } from "../../projections/domains.js";
import type { Clock } from "../shared/clock.js";
import { SOONEST_EXPIRY_SQL, statusSql, type DomainStatus } from "../monitoring/domainStatus.js";
import { daysUntilSql, isoInstantSql, jsonObjectSql, type FieldsSql } from "../infrastructure/postgres/jsonAnswers.js";
import { pageWithTotal, toPageJson, type PageRow } from "../infrastructure/postgres/pagination.js";
import { QueryTemplates } from "../infrastructure/postgres/queryTemplate.js";
import type { DomainDetail, DomainListItem } from "./domainApi.js";

/** `expires_at`: the soonest of the certificate's and the registration's expiry (SOONEST_EXPIRY_SQL). */
export const domainSorts = ["hostname", "ssl_days_remaining", "whois_days_remaining", "created_at", "renewal_due_at", "expires_at"] as const;
export type DomainSort = (typeof domainSorts)[number];

export interface ListDomainsQuery {
  readonly page: number;
  readonly perPage: number;
  readonly status: DomainStatus | "all";
  readonly search?: string | undefined;
  readonly sort: DomainSort;
  readonly order: "asc" | "desc";
  /** Only domains whose certificate is due for renewal before this instant (issue #14). */
  readonly renewalDueBefore?: Date | undefined;
  /** Only domains with this tag (exact match). */
  readonly tag?: string | undefined;
}

/** What the answers are built from (LIST_ITEM_FIELDS, DETAIL_FIELDS), and what the sorts read (SOONEST_EXPIRY_SQL's columns among them). */
const LIST_COLUMNS = [
  "id",
  "hostname",
  "port",
  "is_active",
  "ssl_grade",
  "ssl_valid_to",
  "ssl_earliest_expiry",
  "whois_expiry",
  "renewal_due_at",
  "tags",
  "muted_until",
  "created_at",
] as const;
const DETAIL_COLUMNS = [...LIST_COLUMNS, "notes", "updated_at"] as const;

/**
 * A list item's fields (typed from the API description, so the answers and the OpenAPI
 * document stay in step) as SQL over a row of `computed` columns, in the answer's order.
 */
const LIST_ITEM_FIELDS: FieldsSql<DomainListItem> = {
  id: "id",
  hostname: "hostname",
  port: "port",
  is_active: "is_active",
  ssl_grade: "ssl_grade",
  ssl_days_remaining: "ssl_days_remaining",
  whois_days_remaining: "whois_days_remaining",
  renewal_due_at: isoInstantSql("renewal_due_at"),
  expires_at: isoInstantSql("expires_at"),
  tags: "tags",
  muted_until: isoInstantSql("muted_until"),
  created_at: isoInstantSql("created_at"),
  status: "status",
};
const { created_at: createdAt, status: statusField, ...itemHead } = LIST_ITEM_FIELDS;
/** A domain's fields (GET /domains/{id}): the list item's, with notes and updated_at. */
const DETAIL_FIELDS: FieldsSql<DomainDetail> = {
  ...itemHead,
  notes: "notes",
  created_at: createdAt,
  updated_at: isoInstantSql("updated_at"),
  status: statusField,
};

/** One domain asked for by one user (`get`). */
interface DomainKey {
  readonly userId: string;
  readonly domainId: string;
}

/** Lookups gathered into one statement at most (the array parameter stays small). */
const MAX_LOOKUPS_PER_STATEMENT = 100;
/** Lookup counts with a statement of their own (see getMany); more go as one array. */
const LISTED_LOOKUPS = [1, 2, 4, 8, 16];

const sortColumn: Record<DomainSort, string> = {
  hostname: "hostname",
  ssl_days_remaining: "ssl_valid_to",
  whois_days_remaining: "whois_expiry",
  created_at: "created_at",
  renewal_due_at: "renewal_due_at",
  expires_at: SOONEST_EXPIRY_SQL,
};

const nullableSorts: ReadonlySet<string> = new Set(["ssl_valid_to", "whois_expiry", "renewal_due_at", SOONEST_EXPIRY_SQL]);

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class DomainQueries {
  constructor(
    private readonly knex: Knex,
    private readonly clock: Clock,
  ) {
    this.templates = new QueryTemplates(knex);
    this.lookups = new DataLoader((keys) => this.getMany(keys), { cache: false, maxBatchSize: MAX_LOOKUPS_PER_STATEMENT });
  }

  /** The statements of every shape (sort, order, filter; one domain), each built once (see QueryTemplate). */
  private readonly templates: QueryTemplates;
  /** `get`'s lookups of one turn, answered together (getMany). */
  private readonly lookups: DataLoader<DomainKey, DomainDetail | null>;

  /**
   * The JSON text of GET /domains' answer (DomainList): a page of `userId`'s domains and their
   * total, with days remaining and status as of now. PostgreSQL writes each item (jsonAnswers.ts).
   */
  async list(userId: string, q: ListDomainsQuery): Promise<string> {
    const now = this.clock.now();
    const shape = `${q.sort}:${q.order}:${q.status}:${q.search ? "search" : ""}:${q.renewalDueBefore ? "due" : ""}:${q.tag ? "tag" : ""}`;
    const template = this.templates.get(shape, (p) => {
      const status = statusSql(this.knex, p.value("now"));
      const base = this.knex(DOMAINS_TABLE).where({ user_id: p.value("userId") }).whereNull("deleted_at");
      if (q.search) base.andWhere("hostname", "like", p.value("hostnameLike"));
      if (q.status !== "all") base.andWhereRaw("(?) = ?", [status, q.status]);
      if (q.renewalDueBefore) base.andWhere("renewal_due_at", "<", p.value("renewalDueBefore"));
      // jsonb's "has this top-level string" (`?` escaped from knex's placeholder); filtered
      // among the user's rows (migration 0017 says why there is no tags index).
      if (q.tag) base.andWhereRaw("tags \\? ?", [p.value("tag")]);
      const column = sortColumn[q.sort];
      const withStatus = (query: Knex.QueryBuilder) => query.select(...this.computed(status, p.value("now")));
      const order = (query: Knex.QueryBuilder) =>
        nullableSorts.has(column)
          ? this.checkedThenUnchecked(withStatus(query), column, q.order, p.number("pageEnd"))
          : withStatus(query).orderByRaw(`${column} ${q.order}, id ${q.order}`);
      return pageWithTotal(this.knex, base, order, p.number("perPage"), p.number("offset"), [this.knex.raw(`${jsonObjectSql(LIST_ITEM_FIELDS)}::text as item`)]);
    });
    const rows = await template.run<PageRow<{ item: string }>>({
      now: now.toISOString(),
      userId,
      ...(q.search ? { hostnameLike: `%${escapeLike(q.search.toLowerCase())}%` } : {}),
      ...(q.renewalDueBefore ? { renewalDueBefore: q.renewalDueBefore.toISOString() } : {}),
      ...(q.tag ? { tag: q.tag } : {}),
      pageEnd: q.page * q.perPage,
      perPage: q.perPage,
      offset: (q.page - 1) * q.perPage,
    });
    return toPageJson(rows, q.page, q.perPage);
  }

  /**
   * Unchecked domains have no expiry: they sort last in either direction. The index on
   * (user_id, column, id) yields "nulls last" only ascending, so a plain ORDER BY sorted all of
   * a user's domains on every request (about 15 ms for 10k). Instead each half, checked and
   * unchecked, is read in index order and cut at the end of the requested page; only those
   * rows are sorted.
   */
  private checkedThenUnchecked(query: Knex.QueryBuilder, column: string, order: "asc" | "desc", pageEnd: number) {
    const checked = query.clone().whereRaw(`${column} is not null`).orderByRaw(`${column} ${order}, id ${order}`).limit(pageEnd);
    // Ordered by the (all null) column too, so it is the index's order and the scan stops at
    // the page's end; ordered by id alone the planner sorted every unchecked row, or walked the
    // primary key through other users' domains.
    const unchecked = query.clone().whereRaw(`${column} is null`).orderByRaw(`${column} ${order}, id ${order}`).limit(pageEnd);
    return this.knex
      .queryBuilder()
      .select("*")
      .from(this.knex.raw("(? union all ?) as page", [checked, unchecked]))
      .orderByRaw(`${column} ${order} nulls last, id ${order}`);
  }

  /**
   * One domain of `userId`'s, as GET /domains/{id} answers it; null when it does not exist, is
   * deleted or is someone else's. Lookups made in the same turn of the event loop share one
   * statement (DataLoader, no caching): a group commit answers its creates at once (see
   * inlineProjections.ts), and each create's response reads its domain back, so 20 concurrent
   * creates read their rows with one round trip instead of one each.
   */
  get(userId: string, domainId: string): Promise<DomainDetail | null> {
    // Rows are matched to lookups in JavaScript, and PostgreSQL writes uuids in lower case; the
    // routes pass ids lower-cased already (uuidParam), other callers may not.
    return this.lookups.load({ userId: userId.toLowerCase(), domainId: domainId.toLowerCase() });
  }

  /**
   * The rows of `keys` (ids are UUIDs: validated by the routes, generated by commands), in their
   * order. A failed statement fails every lookup it carried (at most MAX_LOOKUPS_PER_STATEMENT).
   */
  private async getMany(keys: readonly DomainKey[]): Promise<(DomainDetail | null)[]> {
    const now = this.clock.now();
    const domainIds = [...new Set(keys.map((k) => k.domainId))];
    // Up to LISTED_LOOKUPS ids go as a list of scalars, padded to the next listed size with the
    // last id: PostgreSQL re-plans a prepared `id = any($1)` on every run (a short array looks
    // cheaper than the generic plan's ten elements), 0.4 ms of its CPU per create's read-back,
    // while a list of n parameters keeps one plan per size and connection.
    const size = LISTED_LOOKUPS.find((n) => n >= domainIds.length);
    const params = size ? Array.from({ length: size }, (_, i) => domainIds[Math.min(i, domainIds.length - 1)]) : [domainIds];
    const template = this.templates.get(`get-${size ?? "any"}`, (p) => {
      const ids = params.map((_, i) => p.value(`id${i}`));
      const found = this.knex(DOMAINS_TABLE)
        .select("user_id", ...this.computed(statusSql(this.knex, p.value("now")), p.value("now"), DETAIL_COLUMNS))
        .whereRaw(size ? `id in (${ids.map(() => "?::uuid").join(", ")})` : "id = any(?::uuid[])", ids)
        .whereNull("deleted_at");
      return this.knex.select("id", "user_id", this.knex.raw(`${jsonObjectSql(DETAIL_FIELDS)} as detail`)).from(found.as("found"));
    });
    const rows = await template.run<{ id: string; user_id: string; detail: DomainDetail }>({
      now: now.toISOString(),
      ...Object.fromEntries(params.map((v, i) => [`id${i}`, v])),
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return keys.map(({ userId, domainId }) => {
      const row = byId.get(domainId);
      return row && row.user_id === userId ? row.detail : null;
    });
  }

  /**
   * The columns an answer is built from (the row has some thirty) and those computed when read,
   * as of `now` (a timestamptz value or stand-in). Sort columns are among them: the page's outer
   * ORDER BY reads them from the union of its halves.
   */
  private computed(status: Knex.Raw, now: string, columns: readonly string[] = LIST_COLUMNS) {
    const days = (until: string, as: string) => this.knex.raw(`${daysUntilSql(until, "?::timestamptz")} as ??`, [now, as]);
    return [
      ...columns,
      this.knex.raw("(?) as status", [status]),
      this.knex.raw(`${SOONEST_EXPIRY_SQL} as expires_at`),
      days("ssl_valid_to", "ssl_days_remaining"),
      days("whois_expiry", "whois_days_remaining"),
    ];
  }

  /** The id of the caller's monitored domain on this hostname and port, if any. */
  async idOf(userId: string, hostname: string, port: number): Promise<string | null> {
    const row = (await this.knex(DOMAINS_TABLE).select("id").where({ user_id: userId, hostname, port }).whereNull("deleted_at").first()) as
      | { id: string }
      | undefined;
    return row?.id ?? null;
  }
}
