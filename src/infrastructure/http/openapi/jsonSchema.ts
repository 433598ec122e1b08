// zod schemas as the JSON Schema 2020-12 of OpenAPI 3.1. Schemas given a name with `named`
// become components (#/components/schemas/<name>) wherever they occur, also inside schemas
// owned by other modules, which are named here without being touched (a registry, not .meta).
import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

const schemaMetadata = z.registry<{ id?: string; description?: string }>();
const namedSchemas = new Map<string, z.ZodType>();

/** Names `schema` in the document (e.g. "Domain"); returns it unchanged. */
export function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  if ((namedSchemas.get(id) ?? schema) !== schema) throw new Error(`Two schemas are named ${id}`);
  namedSchemas.set(id, schema);
  schemaMetadata.add(schema, description ? { id, description } : { id });
  return schema;
}

/** Documents what a field means; returns it unchanged. */
export function described<S extends z.ZodType>(schema: S, description: string): S {
  schemaMetadata.add(schema, { description });
  return schema;
}

const DEFS = "#/$defs/";
const COMPONENTS = "#/components/schemas/";

const withComponentRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withComponentRefs);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === "$ref" && typeof v === "string" && v.startsWith(DEFS) ? COMPONENTS + v.slice(DEFS.length) : withComponentRefs(v),
    ]),
  );
};

/** Renders schemas into one document, collecting the named ones as its components. */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /**
   * `input` for requests (what a client may send: defaults make fields optional), `output`
   * for responses and for parameters, which arrive as strings but are documented as the value
   * the server reads from them (`page` is an integer).
   */
  render(schema: z.ZodType, io: "input" | "output"): JsonSchema {
    const rendered = z.toJSONSchema(schema, { target: "draft-2020-12", io, metadata: schemaMetadata }) as JsonSchema;
    const { $schema: _dialect, $defs, ...json } = rendered;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) this.add(id, withComponentRefs(def) as JsonSchema);
    return withComponentRefs(json) as JsonSchema;
  }

  private add(id: string, def: JsonSchema): void {
    const existing = this.schemas[id];
    // One name, one shape: a named schema whose input and output differ cannot be shared.
    if (existing && JSON.stringify(existing) !== JSON.stringify(def)) {
      throw new Error(`Schema component ${id} renders differently in two places (input and output?)`);
    }
    this.schemas[id] = def;
  }
}
