// Page of a read-model query in the API's list shape: {data, pagination}.
import type { Knex } from "knex";

export interface Page<T> {
  readonly data: T[];
  readonly pagination: { page: number; per_page: number; total: number; total_pages: number };
}

export type PageRow<Row> = Row & { readonly page_total: string | number };

/**
 * One statement for a page and its total: one round trip, one snapshot (a total that matches
 * its page). `filtered` is the query with its WHERE clauses; `order` adds ORDER BY (and any
 * extra SELECT) to the page only, so the count stays cheap. The count is a one-row relation
 * and the page a LATERAL subquery joined to it; the nested loop that joins them yields the
 * page's rows in the page's order. A page past the end comes back as the count alone (one row
 * of NULLs on the page's side). `limit` and `offset` may be QueryTemplate stand-ins.
 */
export function pageWithTotal(
  knex: Knex,
  filtered: Knex.QueryBuilder,
  order: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  limit: number,
  offset: number,
  /** What each row carries besides page_total: columns of `page_rows`, or expressions over them. */
  pageColumns: readonly (string | Knex.Raw)[] = ["page_rows.*"],
): Knex.QueryBuilder {
  const page = order(filtered.clone()).limit(limit).offset(offset);
  const count = filtered.clone().clearSelect().count({ page_total: "*" });
  return knex
    .select("counted.page_total", ...pageColumns)
    .from(knex.raw("(?) as counted", [count]))
    .joinRaw("left join lateral (?) as page_rows on true", [knex.raw("?", [page])]);
}

/** The page's rows (none past the end: pageWithTotal's row of NULLs) and its pagination. */
function pageOf<Row>(rows: readonly PageRow<Row>[], page: number, perPage: number): { rows: readonly PageRow<Row>[]; pagination: Page<never>["pagination"] } {
  const total = Number(rows[0]?.page_total ?? 0);
  return {
    rows: total > (page - 1) * perPage ? rows : [],
    pagination: { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) },
  };
}

/** The API's page from the rows of pageWithTotal. */
export function toPage<Row, Item>(rows: readonly PageRow<Row>[], page: number, perPage: number, toItem: (row: Row) => Item): Page<Item> {
  const { rows: onPage, pagination } = pageOf(rows, page, perPage);
  return { data: onPage.map(toItem), pagination };
}

/**
 * The same page as the JSON text of the answer, from rows of pageWithTotal whose `item` is
 * each item's JSON text (written by PostgreSQL: jsonAnswers.ts), in the shape toPage's
 * page has.
 */
export function toPageJson(rows: readonly PageRow<{ item: string }>[], page: number, perPage: number): string {
  const { rows: onPage, pagination } = pageOf(rows, page, perPage);
  return `{"data":[${onPage.map((r) => r.item).join(",")}],"pagination":${JSON.stringify(pagination)}}`;
}

export async function paginate<Row, Item>(
  knex: Knex,
  filtered: Knex.QueryBuilder,
  page: number,
  perPage: number,
  order: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const rows = (await pageWithTotal(knex, filtered, order, perPage, (page - 1) * perPage)) as PageRow<Row>[];
  return toPage(rows, page, perPage, toItem);
}
