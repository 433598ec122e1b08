// Workloads 7a and 7b against a local HTTPS server with a throwaway CA, 50 in flight:
// 7a expiry checks (one handshake and one HTTPS request per address, the grade carried over
// from a full probe) against the floor of bare tls.connect handshakes to the same server at
// the same concurrency; 7b full probes (every protocol and suite family, graded, HSTS) against
// 7a. The server counts the TCP connections and completed handshakes of one check of each.
import https from "node:https";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { checkSsl } from "../../src/checkers/ssl/checkSsl.js";
import type { SslCheckOk } from "../../src/checkers/ssl/result.js";
import { createPki } from "../../test/support/pki.js";
import type { Measurement } from "../support/report.js";
import { rotate, type BenchOptions, type Workload } from "../support/workload.js";

const IN_FLIGHT = 50;
const HOST = "bench.test";

/** Runs `fn` with IN_FLIGHT workers for `seconds`; returns completions per second. */
async function rate(seconds: number, fn: () => Promise<void>): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        await fn();
        done++;
      }
    }),
  );
  return done / seconds;
}

export const sslChecks: Workload = {
  ids: [7],
  name: "SSL expiry checks and full probes against a local TLS server",
  async run({ quick, log }: BenchOptions): Promise<Measurement[]> {
    const seconds = quick ? 3 : 10;
    const runs = quick ? 1 : 3;
    const pki = await createPki();
    const counts = { connections: 0, handshakes: 0 };
    const root = await pki.createRootCa({ cn: "SSLTrackr Bench Root" });
    const leaf = await pki.createLeaf(root, { cn: HOST, sans: [HOST] });
    const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (_req, res) => res.end("ok\n"));
    server.on("connection", () => counts.connections++);
    server.on("secureConnection", () => counts.handshakes++);
    // Probes that end handshakes on purpose are not errors.
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const options = { allowPrivateTargets: true, resolveOverrides: new Map([[HOST, ["127.0.0.1"]]]), extraCa: [root.certPem], timeoutMs: 10_000 };
      const probe = async (lightFrom?: SslCheckOk): Promise<SslCheckOk> => {
        const result = await checkSsl({ hostname: HOST, port }, { ...options, ...(lightFrom ? { lightFrom } : {}) });
        if (result.outcome !== "ok") throw new Error(`check failed: ${result.message}`);
        return result;
      };
      const handshake = () =>
        new Promise<void>((resolve, reject) => {
          const socket = tls.connect({ host: "127.0.0.1", port, servername: HOST, ca: [root.certPem] }, () => {
            socket.destroy();
            resolve();
          });
          socket.once("error", reject);
        });
      const counted = async (fn: () => Promise<unknown>) => {
        const before = { ...counts };
        await fn();
        return { connections: counts.connections - before.connections, handshakes: counts.handshakes - before.handshakes };
      };
      let full!: SslCheckOk;
      const perFull = await counted(async () => (full = await probe()));
      const perLight = await counted(async () => {
        if ((await probe(full)).probe !== "light") throw new Error("the expiry check turned into a full probe");
      });
      log(`one full probe: ${perFull.connections} TCP connections, ${perFull.handshakes} TLS handshakes; one expiry check: ${perLight.connections}, ${perLight.handshakes}`);
      const contenders = { light: () => probe(full).then(() => undefined), full: () => probe().then(() => undefined), handshakes: handshake };
      const results = { light: [] as number[], full: [] as number[], handshakes: [] as number[] };
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(["light", "full", "handshakes"] as const, run)) results[name].push(await rate(seconds, contenders[name]));
        log(`run ${run + 1}/${runs}: ${results.light.at(-1)!.toFixed(1)} expiry checks/s, ${results.full.at(-1)!.toFixed(1)} full probes/s, ${results.handshakes.at(-1)!.toFixed(0)} handshakes/s`);
      }
      return [
        {
          id: "7a",
          workload: "SSL expiry check (one handshake + HSTS request), local TLS server, 50 in flight",
          unit: "checks/s",
          values: results.light,
          reference: { name: "bare tls.connect", values: results.handshakes, unit: "handshakes/s" },
          target: { kind: "ratioAtLeast", ratio: 0.4 },
          note: `one expiry check makes ${perLight.connections} TCP connection(s), ${perLight.handshakes} TLS handshake(s)`,
        },
        {
          id: "7b",
          workload: "full SSL probe (every protocol and suite, graded), local TLS server, 50 in flight",
          unit: "probes/s",
          values: results.full,
          reference: { name: "7a expiry checks", values: results.light, unit: "checks/s" },
          target: { kind: "report" },
          note: `one probe makes ${perFull.connections} TCP connections, ${perFull.handshakes} of them completed TLS handshakes (the rest are probes the server refuses)`,
        },
      ];
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pki.cleanup();
    }
  },
};
