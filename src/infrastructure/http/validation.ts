// Request validation at the boundary: zod schemas in, typed values out, and any mismatch
// becomes a 400 with a message that names the field.
import type { z } from "zod";
import { ValidationError } from "../../shared/errors.js";
import { unstorableStringPath } from "./storableStrings.js";

export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") return `Unknown field(s): ${issue.keys.join(", ")}`;
  return path ? `Invalid ${path}: ${issue.message}` : `Invalid request: ${issue.message}`;
}

/** What every request string must satisfy, whatever its schema (see storableStrings.ts). */
const UNSTORABLE_MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates";

const invalid = (message: string, what: string) => new ValidationError(what === "request" ? message : `${message} (${what})`);

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = "request"): z.infer<S> {
  const unstorable = unstorableStringPath(value);
  if (unstorable) throw invalid(`Invalid ${unstorable.length ? unstorable.join(".") : "value"}: ${UNSTORABLE_MESSAGE}`, what);
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(describeIssues(result.error), what);
  return result.data;
}
