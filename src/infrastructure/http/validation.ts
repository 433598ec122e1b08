// Request validation at the boundary: zod schemas in, typed values out, and any mismatch
// becomes a 400 with a message that names the field.
import type { z } from "zod";
import { ValidationError } from "../../shared/errors.js";
import { unstorableStringPath } from "./storableStrings.js";

/**
 * The first issue as a message naming its field: `at` is where the validated value sits in
 * the request ("domains[3]" for a row of a bulk request), `unknownKeys` what unknown names are.
 */
export function describeIssues(error: z.ZodError, unknownKeys = "field(s)", at?: string): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  if (issue.code === "unrecognized_keys") return `Unknown ${unknownKeys}${at ? ` in ${at}` : ""}: ${issue.keys.join(", ")}`;
  const path = [at, ...issue.path].filter((p) => p !== undefined).join(".");
  return path ? `Invalid ${path}: ${issue.message}` : `Invalid request: ${issue.message}`;
}

/** What every request string must satisfy, whatever its schema (see storableStrings.ts). */
const UNSTORABLE_MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates";

const invalid = (message: string, what: string) => new ValidationError(what === "request" ? message : `${message} (${what})`);

/**
 * The boundary's rule for one value: every string storable, then the schema. `strings: "skip"`
 * leaves the string rule to the caller, for an envelope whose items are validated one by one
 * (POST /domains/bulk answers each row on its own).
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: { readonly strings?: "check" | "skip"; readonly unknownKeys?: string; readonly at?: string } = {},
): { readonly ok: true; readonly data: z.infer<S> } | { readonly ok: false; readonly error: string } {
  const unstorable = options.strings === "skip" ? undefined : unstorableStringPath(value);
  if (unstorable) {
    const path = [options.at, ...unstorable].filter((p) => p !== undefined).join(".");
    return { ok: false, error: `Invalid ${path || "value"}: ${UNSTORABLE_MESSAGE}` };
  }
  const result = schema.safeParse(value);
  return result.success ? { ok: true, data: result.data } : { ok: false, error: describeIssues(result.error, options.unknownKeys, options.at) };
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = "request", options: { readonly strings?: "check" | "skip" } = {}): z.infer<S> {
  const result = validate(schema, value, options);
  if (!result.ok) throw invalid(result.error, what);
  return result.data;
}

/**
 * parseWith for a query string, whose parameters all take one value: a parameter given twice
 * is named as such, and a name the operation does not take is an unknown query parameter (as
 * for operations that take none, operationGuards.ts).
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>): z.infer<S> {
  const repeated = Object.entries(query).find(([, value]) => Array.isArray(value))?.[0];
  if (repeated !== undefined) throw new ValidationError(`Invalid ${repeated}: given more than once`);
  const result = validate(schema, query, { unknownKeys: "query parameter(s)" });
  if (!result.ok) throw new ValidationError(result.error);
  return result.data;
}
