// No Docker engine runs here, so the compose file is checked statically: it parses, it has
// the production shape, and the app's environment is one our config module accepts.
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { parse } from "yaml";
import { configVariables, loadConfig } from "../../src/config.js";
import pkg from "../../package.json" with { type: "json" };

interface Service {
  image?: string;
  command?: string[];
  deploy?: { replicas?: number };
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

  it("gives the app and the workers only settings the config module knows, and valid ones", () => {
    for (const name of ["app", "worker"]) {
      const env = services[name]!.environment ?? {};
      const ours = Object.keys(env).filter((k) => !k.startsWith("OTEL_"));
      for (const key of ours) expect(configVariables, `${key} is a setting of src/config.ts`).to.include(key);
      const config = loadConfig(env);
      expect(config.EVENTSTORE_URL, name).to.match(/^esdb:\/\/eventstoredb:2113/);
      expect(config.DATABASE_URL, name).to.match(/@postgres:5432\//);
    }
  });

  it("runs checks in a scaled worker service, apart from the API (which runs none)", () => {
    const worker = services["worker"]!;
    expect(worker.command).to.deep.equal(["node", "bin/ssltrackr.js", "worker"]);
    expect(worker.deploy?.replicas).to.be.at.least(2);
    expect(loadConfig(services["app"]!.environment ?? {}).SSLTRACKR_WORKERS).to.equal(false);
  });
});
