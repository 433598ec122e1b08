// A query whose shape repeats (a list per sort, order and filter) is built and compiled by knex
// once; afterwards a request only supplies its values. Building and compiling GET /domains'
// query with knex cost 0.2-0.4 ms of CPU per request, more than PostgreSQL spends on the page.
//
// It also runs as a named prepared statement, so PostgreSQL parses and plans it once per
// connection, not on every request: planning GET /domains' page-and-total statement took
// 0.23-0.25 ms, more than executing it (0.18-0.21 ms); one at a time on the loaded bench
// machine the named statement's round trip was 0.9-1.3 ms against 2.6-4.8 ms unnamed
// (bench/profiles/4-list.md). PostgreSQL re-plans a prepared statement by itself when a table
// it reads changes; only a changed row shape (a table swapped in with its columns in another
// order) makes it refuse the old statement, and then the statement is prepared again.
import { createHash } from "node:crypto";
import type { Knex } from "knex";
import type pg from "pg";

/** Stand-ins for a request's values while the shape is compiled. */
export interface Params {
  /** Where knex takes any value (a string stand-in). */
  value(name: string): string;
  /** Where knex insists on a number (LIMIT, OFFSET). */
  number(name: string): number;
}

const TEXT_MARK = "\u0000param:";
/** Numbers no real LIMIT or OFFSET of ours reaches (pages stop at 1,000,000 x 100). */
const FIRST_NUMBER_MARK = 1_900_000_000;

type Slot = { readonly name: string } | { readonly constant: unknown };

/** PostgreSQL's "cached plan must not change result type" (feature_not_supported). */
const isStaleRowShape = (err: unknown) =>
  (err as { code?: string }).code === "0A000" && /cached plan must not change result type/.test(String((err as Error).message));

export class QueryTemplate {
  /** Bumped when PostgreSQL refuses the prepared statement: the next name prepares it anew. */
  private generation = 0;
  private readonly baseName: string;

  private constructor(
    private readonly knex: Knex,
    private readonly sql: string,
    private readonly slots: readonly Slot[],
  ) {
    // Unique per statement text, the same in every process (pg refuses one name for two texts).
    this.baseName = `qt_${createHash("sha256").update(sql).digest("hex").slice(0, 24)}`;
  }

  static compile(knex: Knex, build: (params: Params) => Knex.QueryBuilder): QueryTemplate {
    const numbers = new Map<number, string>();
    const params: Params = {
      value: (name) => TEXT_MARK + name,
      number: (name) => {
        const mark = FIRST_NUMBER_MARK + numbers.size;
        numbers.set(mark, name);
        return mark;
      },
    };
    const { sql, bindings } = build(params).toSQL().toNative();
    const slots = bindings.map((b): Slot => {
      if (typeof b === "string" && b.startsWith(TEXT_MARK)) return { name: b.slice(TEXT_MARK.length) };
      const name = typeof b === "number" ? numbers.get(b) : undefined;
      return name ? { name } : { constant: b };
    });
    return new QueryTemplate(knex, sql, slots);
  }

  async run<Row>(values: Readonly<Record<string, unknown>>): Promise<Row[]> {
    const bindings = this.slots.map((slot) => {
      if (!("name" in slot)) return slot.constant;
      if (!(slot.name in values)) throw new Error(`No value for query parameter ${slot.name}`);
      return values[slot.name];
    });
    try {
      return await this.execute<Row>(bindings);
    } catch (err) {
      if (!isStaleRowShape(err)) throw err;
      this.generation++;
      return this.execute<Row>(bindings);
    }
  }

  /** On a connection of knex's pool (or the transaction's, when `knex` is one). */
  private async execute<Row>(values: unknown[]): Promise<Row[]> {
    const client = this.knex.client as { acquireConnection(): Promise<pg.PoolClient>; releaseConnection(c: pg.PoolClient): Promise<void> };
    const name = `${this.baseName}_${this.generation}`;
    // knex's own "query" event still sees the statement (debug logs, the bench's SQL capture).
    this.knex.emit("query", { method: "raw", sql: this.sql, bindings: values, name });
    const connection = await client.acquireConnection();
    try {
      const result = await connection.query<Row & pg.QueryResultRow>({ name, text: this.sql, values });
      return result.rows;
    } finally {
      await client.releaseConnection(connection);
    }
  }
}

/** Templates by shape key, compiled on first use. */
export class QueryTemplates {
  private readonly compiled = new Map<string, QueryTemplate>();

  constructor(private readonly knex: Knex) {}

  get(shape: string, build: (params: Params) => Knex.QueryBuilder): QueryTemplate {
    let template = this.compiled.get(shape);
    if (!template) {
      template = QueryTemplate.compile(this.knex, build);
      this.compiled.set(shape, template);
    }
    return template;
  }
}
