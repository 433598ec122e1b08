// Workload 7: full SSL checks (probe every protocol and suite family, grade, HSTS request)
// against a local HTTPS server with a throwaway CA, 50 in flight, against the floor of bare
// tls.connect handshakes to the same server at the same concurrency. The server counts the
// TCP connections and completed handshakes a single check makes.
import https from "node:https";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { checkSsl } from "../../src/checkers/ssl/checkSsl.js";
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
  name: "SSL checks against a local TLS server",
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
      const check = async () => {
        const result = await checkSsl(
          { hostname: HOST, port },
          { allowPrivateTargets: true, resolveOverrides: new Map([[HOST, ["127.0.0.1"]]]), extraCa: [root.certPem], timeoutMs: 10_000 },
        );
        if (result.outcome !== "ok") throw new Error(`check failed: ${result.message}`);
      };
      const handshake = () =>
        new Promise<void>((resolve, reject) => {
          const socket = tls.connect({ host: "127.0.0.1", port, servername: HOST, ca: [root.certPem] }, () => {
            socket.destroy();
            resolve();
          });
          socket.once("error", reject);
        });
      await check();
      const perCheck = { ...counts };
      log(`one full check: ${perCheck.connections} TCP connections, ${perCheck.handshakes} completed TLS handshakes`);
      const results = { checks: [] as number[], handshakes: [] as number[] };
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(["checks", "handshakes"] as const, run)) results[name].push(await rate(seconds, name === "checks" ? check : handshake));
        log(`run ${run + 1}/${runs}: ${results.checks.at(-1)!.toFixed(1)} checks/s, ${results.handshakes.at(-1)!.toFixed(0)} handshakes/s`);
      }
      return [
        {
          id: "7",
          workload: "full SSL check (probe and grade), local TLS server, 50 in flight",
          unit: "checks/s",
          values: results.checks,
          reference: { name: "bare tls.connect", values: results.handshakes, unit: "handshakes/s" },
          target: { kind: "report" },
          note: `one check makes ${perCheck.connections} TCP connections, ${perCheck.handshakes} of them completed TLS handshakes (the rest are probes the server refuses)`,
        },
      ];
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pki.cleanup();
    }
  },
};
