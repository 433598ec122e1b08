// Strings PostgreSQL cannot store: a NUL character (text and jsonb reject U+0000) and lone
// UTF-16 surrogates (no UTF-8 encoding exists for them). One rule for every string a request
// carries, applied before any schema, so no field can forget it.

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorable = (text: string): boolean => !UNSTORABLE.test(text);

interface Visit {
  readonly value: unknown;
  readonly key?: string | number;
  readonly parent?: Visit;
}

const pathOf = (visit: Visit): (string | number)[] => {
  const path: (string | number)[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) path.push(v.key);
  return path.reverse();
};

/**
 * The path (e.g. `["tags", 2]`) of the first string in `value` that cannot be stored, looking
 * at object keys too; undefined when every string can be stored. Iterative, so a hostile body
 * nested thousands of levels deep cannot overflow the stack.
 */
export function unstorableStringPath(value: unknown): (string | number)[] | undefined {
  const pending: Visit[] = [{ value }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const current = visit.value;
    if (typeof current === "string") {
      if (!isStorable(current)) return pathOf(visit);
    } else if (typeof current === "object" && current !== null) {
      const entries: [string | number, unknown][] = Array.isArray(current) ? [...current.entries()] : Object.entries(current);
      for (const [key] of entries) if (typeof key === "string" && !isStorable(key)) return [...pathOf(visit), key];
      // Reversed onto the stack, so the first field is looked at first.
      for (let i = entries.length - 1; i >= 0; i--) pending.push({ value: entries[i]![1], key: entries[i]![0], parent: visit });
    }
  }
  return undefined;
}
