// Workloads 4, 5 and 8 share one seeded database and one server process: 8 is the peak
// memory of that server over 4 and 5.
import { openApiFixture } from "../support/apiFixture.js";
import type { Measurement } from "../support/report.js";
import type { BenchOptions, Workload } from "../support/workload.js";
import { measureList } from "./4-listDomains.js";
import { measureCreate } from "./5-createDomains.js";
import { measureMemory } from "./8-serverMemory.js";

export const apiWorkloads: Workload = {
  ids: [4, 5, 8],
  name: "HTTP API: GET /domains, POST /domains, server memory",
  async run(options: BenchOptions): Promise<Measurement[]> {
    const fixture = await openApiFixture(options);
    try {
      const list = await measureList(fixture, options.quick, options.log);
      const create = await measureCreate(fixture, list.floor, options.quick, options.log);
      return [...list.measurements, ...create, measureMemory(fixture)];
    } finally {
      await fixture.close();
    }
  },
};
