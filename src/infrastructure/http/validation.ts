// Request validation at the boundary: zod schemas in, typed values out, and any mismatch
// becomes a 400 with a message that names the field.
import type { z } from "zod";
import { ValidationError } from "../../shared/errors.js";

export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") return `Unknown field(s): ${issue.keys.join(", ")}`;
  return path ? `Invalid ${path}: ${issue.message}` : `Invalid request: ${issue.message}`;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = "request"): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const message = describeIssues(result.error);
    throw new ValidationError(what === "request" ? message : `${message} (${what})`);
  }
  return result.data;
}
