// A local webhook receiver for tests: an HTTP server on 127.0.0.1 that records every request
// and answers with scripted status codes (then 200 once the script runs out).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eventually } from "./eventually.js";

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, exactly as received (what the signature covers). */
  readonly body: string;
  readonly receivedAt: Date;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedWebhook[];
  /** Status codes for the next requests, in order. */
  respondWith(...statuses: number[]): void;
  /** Every request from now on gets `status`. */
  alwaysRespond(status: number): void;
  /** Resolves once `count` requests have arrived in total. */
  waitForCount(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = "/hooks/ssltrackr"): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let script: number[] = [];
  let fallback = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: new Date() });
      res.writeHead(script.shift() ?? fallback, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received,
    respondWith: (...statuses) => {
      script = statuses;
    },
    alwaysRespond: (status) => {
      script = [];
      fallback = status;
    },
    async waitForCount(count, timeoutMs = 10_000) {
      await eventually(() => `receiver got ${received.length} of ${count} requests`, () => received.length >= count, { timeoutMs, intervalMs: 10 });
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
