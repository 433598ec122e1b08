// Page of a read-model query in the API's list shape: {data, pagination}.
import type { Knex } from "knex";

export interface Page<T> {
  readonly data: T[];
  readonly pagination: { page: number; per_page: number; total: number; total_pages: number };
}

/**
 * `filtered` is the query with its WHERE clauses; `order` adds ORDER BY (and any extra
 * SELECT) to the page query only, so the count stays cheap.
 */
export async function paginate<Row, Item>(
  filtered: Knex.QueryBuilder,
  page: number,
  perPage: number,
  order: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const [rows, counted] = await Promise.all([
    order(filtered.clone()).limit(perPage).offset((page - 1) * perPage) as Promise<Row[]>,
    filtered.clone().clearSelect().count<{ total: string }[]>({ total: "*" }),
  ]);
  const total = Number(counted[0]?.total ?? 0);
  return {
    data: rows.map(toItem),
    pagination: { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) },
  };
}
