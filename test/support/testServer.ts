// A real SSLTrackr server on a throwaway database, for end-to-end tests through HTTP.
import { randomUUID } from "node:crypto";
import { loadConfig, type Config } from "../../src/config.js";
import { startServer, type RunningServer } from "../../src/app/server.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import type { Clock } from "../../src/shared/clock.js";
import type { Checkers } from "../../src/monitoring/checkers.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export interface TestServer {
  readonly server: RunningServer;
  readonly db: TestDatabase;
  readonly url: string;
  /** Registers a user; returns their id and first (read+write) key. */
  createUser(email?: string): Promise<{ userId: string; key: string }>;
  client(key?: string): ApiClient;
  close(): Promise<void>;
}

// Response bodies are asserted field by field in the tests; typing each one adds nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ApiResponse<T = Json> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface ApiClient {
  request<T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  get<T = Json>(path: string): Promise<ApiResponse<T>>;
  post<T = Json>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  put<T = Json>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  delete<T = Json>(path: string): Promise<ApiResponse<T>>;
}

export function apiClient(baseUrl: string, key?: string): ApiClient {
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      // Strings and bytes go as they are (malformed bodies); anything else as JSON.
      body: body === undefined ? undefined : typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the raw text: a non-JSON answer is itself a failure the test will show
    }
    return { status: res.status, body: parsed as Json, headers: res.headers };
  };
  return {
    request,
    get: (p) => request("GET", p),
    post: (p, b) => request("POST", p, b),
    put: (p, b) => request("PUT", p, b),
    delete: (p) => request("DELETE", p),
  };
}

/** Configuration of a test server on `databaseUrl`: a free local port, no logs. */
export const testConfig = (databaseUrl: string, env: Record<string, string> = {}): Config =>
  loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SSLTRACKR_ALLOW_PRIVATE_TARGETS: "true",
    // Several servers share one PostgreSQL in tests (peers, parallel suites).
    SSLTRACKR_DB_POOL_MAX: "4",
    // Checks reach out to TLS and registry servers: tests that want them (on create, or from
    // the background scheduler) turn them on and point them at local servers.
    SSLTRACKR_CHECK_ON_CREATE: "false",
    SSLTRACKR_SCHEDULER: "false",
    // Every local test server shares 127.0.0.1: politeness is on only where a test is about it.
    SSLTRACKR_TARGET_MAX_CONNECTIONS: "0",
    ...env,
  });

/** Another app process's server on an existing database (as a second replica would be). */
export const startPeerServer = (
  databaseUrl: string,
  { env, ...options }: { clock?: Clock; checkers?: Checkers; env?: Record<string, string> } = {},
): Promise<RunningServer> => startServer(testConfig(databaseUrl, env), { ...options, logger: createLogger("silent") });

export async function startTestServer(
  options: { clock?: Clock; checkers?: Checkers; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const db = await createTestDatabase();
  const server = await startServer(testConfig(db.url, options.env), {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.checkers ? { checkers: options.checkers } : {}),
    logger: createLogger("silent"),
  });
  return {
    server,
    db,
    url: server.url,
    async createUser(email = `user-${randomUUID()}@example.com`) {
      const created = await server.services.accounts.registerUser({ correlationId: randomUUID() }, email);
      if (created.position) await server.services.projections.waitFor(created.position);
      return { userId: created.userId, key: created.key };
    },
    client: (key) => apiClient(server.url, key),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}
