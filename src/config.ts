// The one place that reads the environment. Every setting is validated here and
// documented in README.md ("Configuration"); the rest of the code receives typed values.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseKeyring } from "./infrastructure/secrets/secretBox.js";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** "host=ip,host2=ip2" (like curl --resolve) -> Map(host -> [ip...]); a host may repeat. */
export const resolveOverrides = z.string().transform((raw, ctx) => {
  const map = new Map<string, string[]>();
  for (const part of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) {
      ctx.addIssue({ code: "custom", message: `expected host=ip, got "${part}"` });
      return z.NEVER;
    }
    const host = part.slice(0, eq).trim().toLowerCase().replace(/\.$/, "");
    const ips = part.slice(eq + 1).split("|").map((ip) => ip.trim()).filter(Boolean);
    map.set(host, [...(map.get(host) ?? []), ...ips]);
  }
  return map;
});

/** "tld=host:port,..." -> Map(tld -> {host, port}); port defaults to 43. */
export const whoisServerOverrides = z.string().transform((raw, ctx) => {
  const map = new Map<string, { host: string; port: number }>();
  for (const part of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^\.?([^=]+)=([^:]+)(?::(\d+))?$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: "custom", message: `expected tld=host[:port], got "${part}"` });
      return z.NEVER;
    }
    map.set(m[1]!.toLowerCase(), { host: m[2]!, port: m[3] ? Number(m[3]) : 43 });
  }
  return map;
});

/** A JSON object of issuer (Authority Key Identifier hex, or exact O or CN) -> ACME directory URL. */
export const acmeDirectories = z.string().transform((raw, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const checked = z.record(z.string().min(1), z.url({ protocol: /^https?$/ })).safeParse(parsed);
  if (!checked.success) {
    ctx.addIssue({ code: "custom", message: 'expected a JSON object of issuer -> ACME directory URL, e.g. {"My CA": "https://ca.example/acme/directory"}' });
    return z.NEVER;
  }
  return checked.data;
});

/** "1m,5m,2h" (units ms, s, m, h) -> [60000, 300000, 7200000]. */
export const durationList = z.string().transform((raw, ctx) => {
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = raw.split(",").map((p) => p.trim()).filter(Boolean);
  const durations = parts.map((p) => {
    const [, amount, unit] = /^(\d+)(ms|s|m|h)$/.exec(p) ?? [];
    return amount && unit ? Number(amount) * (unitMs[unit] ?? NaN) : NaN;
  });
  if (parts.length === 0 || durations.some((d) => Number.isNaN(d))) {
    ctx.addIssue({ code: "custom", message: `expected durations like "1m,5m,2h" (units ms, s, m, h), got "${raw}"` });
    return z.NEVER;
  }
  return durations;
});

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Unset: an embedded PostgreSQL under EMBEDDED_PG_DIR holds events and read models. */
  DATABASE_URL: z.string().url().optional(),
  /** Connections per pool (the event store and the read models have one each). */
  SSLTRACKR_DB_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  /**
   * Long-running processes (serve, worker) let V8's heap grow this many percent past the live
   * set between full GCs; 0 leaves V8's own factor (up to 300%). See heapGrowth.ts.
   */
  SSLTRACKR_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(300).default(50),
  EMBEDDED_PG_DIR: z.string().default("./.data/postgres"),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Unset: events live in PostgreSQL (schema "eventstore"). esdb://...: EventStoreDB. */
  EVENTSTORE_URL: z.string().startsWith("esdb").optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  SSLTRACKR_ALLOW_PRIVATE_TARGETS: bool.default(false),
  SSLTRACKR_RESOLVE: resolveOverrides.optional(),
  SSLTRACKR_RDAP_BOOTSTRAP: z.string().optional(),
  SSLTRACKR_WHOIS_SERVERS: whoisServerOverrides.optional(),
  /** ACME directories to ask for renewal windows (ARI, RFC 9773), beyond and over the built-in table. */
  SSLTRACKR_ACME_DIRECTORIES: acmeDirectories.optional(),
  SSLTRACKR_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** PEM file of extra roots SSL checks trust (a private CA), besides Node's bundled ones. */
  SSLTRACKR_EXTRA_CA_FILE: z.string().optional(),
  /** Node's own variable (read by Node at start too); SSL checks trust it when SSLTRACKR_EXTRA_CA_FILE is unset. */
  NODE_EXTRA_CA_CERTS: z.string().optional(),
  SSLTRACKR_SSL_INTERVAL_HOURS: z.coerce.number().positive().default(12),
  SSLTRACKR_WHOIS_INTERVAL_HOURS: z.coerce.number().positive().default(24),
  /** Scheduled SSL checks are expiry checks; a full probe (and grade) at least this often. */
  SSLTRACKR_FULL_PROBE_INTERVAL_HOURS: z.coerce.number().positive().default(168),
  SSLTRACKR_SCHEDULER: bool.default(true),
  /** Check a domain as soon as it is added (the scheduler would otherwise pick it up). */
  SSLTRACKR_CHECK_ON_CREATE: bool.default(true),
  /** Seconds between scheduler ticks; a divisor of 60 so ticks stay evenly spaced. */
  SSLTRACKR_SCHEDULER_TICK_SECONDS: z.coerce.number().int().min(1).max(60).refine((s) => 60 % s === 0, "must divide 60").default(30),
  /**
   * A scheduler sweep tops the check queue up to this many waiting jobs, most overdue first;
   * the rest stay due for the next ticks (bounds a sweep's cost; see docs/scheduler.md).
   */
  SSLTRACKR_SWEEP_MAX_JOBS: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /** Run check workers in `serve` (the `worker` command always does). */
  SSLTRACKR_WORKERS: bool.default(true),
  /** Checks each process with workers runs at once. */
  SSLTRACKR_CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(10),
  /** A check job not finished after this many seconds is presumed dead (its worker died) and runs elsewhere. */
  SSLTRACKR_CHECK_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).default(60),
  /** Ask the OCSP responders named in certificates (AIA) whether they were revoked; CRLs and staples are read either way. */
  SSLTRACKR_OCSP_QUERIES: bool.default(true),
  /** A CRL larger than this (bytes) is not downloaded: revocation is then "unknown" unless OCSP answers. */
  SSLTRACKR_CRL_MAX_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Open connections to one IP address at once, across all workers; 0 turns politeness off. */
  SSLTRACKR_TARGET_MAX_CONNECTIONS: z.coerce.number().int().min(0).max(1000).default(2),
  /** Least time between new connections to one IP address, across all workers. */
  SSLTRACKR_TARGET_MIN_SPACING_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  /** How often idle workers look for queued checks, in ms. */
  SSLTRACKR_QUEUE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  SSLTRACKR_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Waits between webhook delivery attempts; after the last one a delivery is dead. */
  SSLTRACKR_WEBHOOK_RETRY_SCHEDULE: durationList.prefault("1m,5m,30m,2h,6h,12h"),
  SSLTRACKR_WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /**
   * Keys sealing notification channel secrets (AES-256-GCM): "id:base64(32 bytes)[,id:...]";
   * the first seals, all open (rotation: docs/notifications.md). Unset: channels with secrets are refused.
   */
  SSLTRACKR_SECRETS_KEY: z
    .string()
    .transform((raw, ctx) => {
      try {
        return parseKeyring(raw);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    })
    .optional(),
  /** Base URL of the dashboard/API as users reach it; notifications link to <url>/domains/<id>. */
  SSLTRACKR_PUBLIC_URL: z.string().url().optional(),
  /** API of a running server, for CLI commands that act as a user (domains import/export). Unset: this host's PORT. */
  SSLTRACKR_API_URL: z.string().url().optional(),
  /** API key those CLI commands use (or --key). */
  SSLTRACKR_API_KEY: z.string().optional(),
  /** Bearer token Prometheus sends to GET /metrics; unset: /metrics is off (404). */
  SSLTRACKR_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").regex(/^\S+$/, "must not contain white space").optional(),
  /** Domains with per-domain gauges on /metrics (the soonest to expire first); 0: none. */
  SSLTRACKR_METRICS_MAX_DOMAINS: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /**
   * Express's "trust proxy" (https://expressjs.com/en/guide/behind-proxies.html): whose
   * X-Forwarded-For/-Proto to believe. Decides req.ip (per-IP sign-in limits) and whether a
   * request came over TLS (the session cookie is then Secure). "false": none; "true": any;
   * a number: that many hops; else addresses/subnets, comma-separated ("loopback, 10.0.0.0/8").
   */
  SSLTRACKR_TRUST_PROXY: z
    .string()
    .transform((v): boolean | number | string => (v === "true" ? true : v === "false" ? false : /^\d+$/.test(v) ? Number(v) : v))
    .default(false),
  /** A dashboard session ends after this many minutes without a request. */
  SSLTRACKR_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
  /** ... and this many hours after sign-in, however active (then the person signs in again). */
  SSLTRACKR_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(12),
  /** Sign-in attempts per minute from one IP address, an IPv6 /64 counting as one (all outcomes count). */
  SSLTRACKR_SIGNIN_RATE_PER_IP: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Sign-in attempts per minute for one e-mail address (known or not; all outcomes count). */
  SSLTRACKR_SIGNIN_RATE_PER_ACCOUNT: z.coerce.number().int().min(1).max(10_000).default(5),
  /** Consecutive failed sign-ins of one e-mail address that lock it... */
  SSLTRACKR_SIGNIN_LOCKOUT_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  /** ... for this many minutes (a successful sign-in resets the count). */
  SSLTRACKR_SIGNIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  // OpenTelemetry: the SDK reads these (and the other standard OTEL_* variables) itself;
  // they are declared here to decide whether to start it at all.
  OTEL_SDK_DISABLED: bool.default(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_METRICS_EXPORTER: z.string().optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
});

export type Config = z.infer<typeof envSchema>;

/** Every variable this module reads (docker-compose.yml is checked against it). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" (docker compose passes VAR= for optional settings).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/**
 * The extra roots (PEM text) SSL checks trust besides Node's bundled ones: the file of
 * SSLTRACKR_EXTRA_CA_FILE, else that of NODE_EXTRA_CA_CERTS, else none. Read once, at start:
 * a missing file or one without a certificate stops the process (ConfigError) instead of
 * failing every check.
 */
export function readExtraCa(config: Config): string[] | undefined {
  const [variable, file] = config.SSLTRACKR_EXTRA_CA_FILE
    ? ["SSLTRACKR_EXTRA_CA_FILE", config.SSLTRACKR_EXTRA_CA_FILE]
    : ["NODE_EXTRA_CA_CERTS", config.NODE_EXTRA_CA_CERTS];
  if (!file) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: cannot read ${file}: ${(err as Error).message}`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError(`Invalid configuration:\n  ${variable}: ${file} holds no PEM certificate`);
  return [pem];
}
