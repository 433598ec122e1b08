// Strings PostgreSQL cannot store: a NUL character (text and jsonb reject U+0000) and lone
// UTF-16 surrogates (no UTF-8 encoding exists for them). One rule for every string a request
// carries, applied before any schema, so no field can forget it.

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorable = (text: string): boolean => !UNSTORABLE.test(text);

/**
 * The path (e.g. `["tags", 2]`) of the first string in `value` that cannot be stored, looking
 * at object keys too; undefined when every string can be stored.
 */
export function unstorableStringPath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === "string") return isStorable(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unstorableStringPath(item, [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorable(key)) return [...path, key];
      const found = unstorableStringPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
