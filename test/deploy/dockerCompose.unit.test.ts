// No Docker engine runs here, so the compose file is checked statically: it parses, it has
// the production shape, and the app's environment is one our config module accepts.
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { parse } from "yaml";
import { configVariables, loadConfig } from "../../src/config.js";
import pkg from "../../package.json" with { type: "json" };

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}

describe("docker-compose.yml (unit)", () => {
  let services: Record<string, Service>;
  before(async () => {
    const doc = parse(await readFile(new URL("../../docker-compose.yml", import.meta.url), "utf8")) as { services: Record<string, Service> };
    services = doc.services;
  });

  it("runs EventStoreDB, PostgreSQL, the app and a trace collector, each with a health check", () => {
    expect(Object.keys(services)).to.include.members(["eventstoredb", "postgres", "app", "jaeger"]);
    for (const [name, service] of Object.entries(services)) expect(service.healthcheck, `${name} health check`).to.not.equal(undefined);
    expect(services["app"]!.depends_on).to.deep.include({
      eventstoredb: { condition: "service_healthy" },
      postgres: { condition: "service_healthy" },
    });
  });

  it("pins every image to a version (never latest)", () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.image) continue;
      expect(service.image, name).to.match(/:[0-9][\w.-]*$/);
    }
  });

  it("runs an EventStoreDB that speaks the gRPC protocol of the pinned client", () => {
    const major = Number(/eventstore:(\d+)/.exec(services["eventstoredb"]!.image ?? "")?.[1]);
    expect(major, "EventStoreDB 20.6+ speaks gRPC").to.be.at.least(21);
    expect(pkg.dependencies["@eventstore/db-client"]).to.equal("6.2.1");
  });

  it("gives the app only settings the config module knows, and valid ones", () => {
    const env = services["app"]!.environment ?? {};
    const ours = Object.keys(env).filter((k) => !k.startsWith("OTEL_"));
    for (const key of ours) expect(configVariables, `${key} is a setting of src/config.ts`).to.include(key);
    const config = loadConfig(env);
    expect(config.EVENTSTORE_URL).to.match(/^esdb:\/\/eventstoredb:2113/);
    expect(config.DATABASE_URL).to.match(/@postgres:5432\//);
  });
});
