// Structured JSON logs, one line per entry. Secrets never reach a log line: fields whose
// names suggest credentials are masked, and API keys in strings are cut to their prefix.
type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_FIELD = /authorization|api_?key|secret|password|token/i;
const API_KEY_IN_TEXT = /(ssa_[a-z]+_)[A-Za-z0-9_-]{8,}/g;

function scrub(value: unknown, key = ""): unknown {
  if (SECRET_FIELD.test(key) && typeof value === "string") return "[redacted]";
  if (typeof value === "string") return value.replace(API_KEY_IN_TEXT, "$1…");
  if (value instanceof Error) return { name: value.name, message: scrub(value.message), stack: scrub(value.stack) };
  if (Array.isArray(value)) return value.map((v) => scrub(v));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
  }
  return value;
}

export function createLogger(
  level: Level | "silent",
  base: Record<string, unknown> = {},
  write: (line: string) => void = (l) => process.stdout.write(l + "\n"),
): Logger {
  const log = (lvl: Level) => (message: string, fields: Record<string, unknown> = {}) => {
    if (order[lvl] < order[level]) return;
    const entry = scrub({ time: new Date().toISOString(), level: lvl, message, ...base, ...fields });
    write(JSON.stringify(entry, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}
