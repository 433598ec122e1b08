// Workload 8: the server's peak resident set (VmHWM) while it served workloads 4 and 5.
import type { ApiFixture } from "../support/apiFixture.js";
import type { Measurement } from "../support/report.js";

export function measureMemory(fixture: ApiFixture): Measurement {
  const { rssMiB, peakMiB } = fixture.server.memory();
  return {
    id: "8",
    workload: "peak RSS of the server during #4 and #5",
    unit: "MiB",
    values: [peakMiB],
    target: { kind: "valueBelow", value: 300 },
    note: `VmHWM of the server process; VmRSS at the end ${rssMiB.toFixed(0)} MiB`,
  };
}
