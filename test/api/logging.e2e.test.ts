// What an operator sees in the server's log for real requests: one structured line per
// request with its id and route, and never an API key.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { startServer, type RunningServer } from "../../src/app/server.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { apiClient, testConfig } from "../support/testServer.js";

describe("request logs (e2e)", () => {
  let db: TestDatabase;
  let server: RunningServer;
  const lines: string[] = [];
  before(async () => {
    db = await createTestDatabase();
    server = await startServer(testConfig(db.url), { logger: createLogger("info", {}, (l) => lines.push(l)) });
  });
  after(async () => {
    await server?.close();
    await db?.drop();
  });

  it("logs each request with its id and route, and no key ever appears", async () => {
    const user = await server.services.accounts.registerUser({ correlationId: randomUUID() }, `log-${randomUUID()}@example.com`);
    if (user.position) await server.services.projections.waitFor(user.position);
    const api = apiClient(server.url, user.key);
    const minted = await api.post("/api-keys", { label: "second" });
    await api.request("GET", "/domains", undefined, { "x-request-id": "req-logged-1" });
    await apiClient(server.url, "ssa_live_notarealkeybutlooksreal1234567890").get("/domains");
    await new Promise((r) => setTimeout(r, 50));

    const all = lines.join("\n");
    expect(all).to.not.include(user.key.slice(9));
    expect(all).to.not.include(String(minted.body.key).slice(9));
    expect(all).to.not.include("notarealkeybutlooksreal");
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e["message"] === "request");
    expect(requests.find((e) => e["requestId"] === "req-logged-1")).to.include({ route: "/api/v1/domains", status: 200, method: "GET" });
    expect(requests.some((e) => e["status"] === 401)).to.equal(true);
  });
});
