// A loopback TCP proxy in front of PostgreSQL that can lose answers: while `cut` is on, a
// connection that receives anything from the server is closed instead of passing it on. The
// server has executed (and committed) what it answered, the client never learns it: exactly
// the write whose outcome is unknown that a crash between commit and reply produces.
import { createServer, connect, type Socket } from "node:net";

export interface CuttingProxy {
  /** `url` with its host and port replaced by the proxy's. */
  readonly url: string;
  cutFor(ms: number): void;
  /** Answers lost so far. */
  readonly lostAnswers: number;
  close(): Promise<void>;
}

export async function startCuttingProxy(upstreamUrl: string): Promise<CuttingProxy> {
  const upstream = new URL(upstreamUrl);
  let cutUntil = 0;
  let lost = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const backend = connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, backend]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("data", (chunk) => backend.write(chunk));
    backend.on("data", (chunk) => {
      if (Date.now() < cutUntil) {
        lost++;
        client.destroy();
        backend.destroy();
      } else {
        client.write(chunk);
      }
    });
    client.on("close", () => backend.destroy());
    backend.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("proxy has no address");
  const url = new URL(upstreamUrl);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  return {
    url: url.toString(),
    cutFor(ms) {
      cutUntil = Date.now() + ms;
    },
    get lostAnswers() {
      return lost;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
