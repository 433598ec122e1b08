import { expect } from "chai";
import { startTestServer, type TestServer } from "../support/testServer.js";

describe("API smoke (e2e)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("creates a domain and reads it back", async () => {
    const { key } = await t.createUser();
    const api = t.client(key);
    const created = await api.post("/domains", { hostname: "example.com" });
    expect(created.status).to.equal(201);
    const got = await api.get(`/domains/${created.body.id}`);
    expect(got.status).to.equal(200);
    expect(got.body.hostname).to.equal("example.com");
  });
});
