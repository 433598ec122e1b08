// A local CRL server and OCSP responder for tests: one HTTP server on 127.0.0.1, port 0, whose
// paths the test sets (a CRL's bytes, an OCSP responder, a failing status, a body of any size),
// each optionally answered after a delay, counting the requests each path received and when
// each exchange ran.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type RevocationRoute = (
  | { crl: Buffer }
  | { ocsp: (request: Buffer) => Promise<Buffer> }
  | { status: number }
  /** 200 with this many bytes of filler (an oversized CRL); `chunked`: without Content-Length. */
  | { bytes: number; chunked?: boolean }
) & {
  /** Answer this long after the request arrived (a slow server, so exchanges can overlap). */
  delayMs?: number;
};

/** One request: when it arrived and when its answer was sent (ms, performance.now()). */
export interface Exchange {
  path: string;
  start: number;
  end: number;
}

export interface RevocationServer {
  /** http://127.0.0.1:<port><path> */
  url(path: string): string;
  route(path: string, route: RevocationRoute): void;
  /** Requests `path` received so far. */
  requests(path: string): number;
  /** The answered exchanges so far, in arrival order. */
  exchanges(): Exchange[];
  close(): Promise<void>;
}

async function answer(route: RevocationRoute | undefined, body: Buffer): Promise<{ status: number; type?: string; body?: Buffer; chunked?: boolean }> {
  if (!route) return { status: 404 };
  if ("crl" in route) return { status: 200, type: "application/pkix-crl", body: route.crl };
  if ("ocsp" in route) return { status: 200, type: "application/ocsp-response", body: await route.ocsp(body) };
  if ("bytes" in route) return { status: 200, type: "application/pkix-crl", body: Buffer.alloc(route.bytes, 0x30), chunked: route.chunked ?? false };
  return { status: route.status };
}

export async function startRevocationServer(): Promise<RevocationServer> {
  const routes = new Map<string, RevocationRoute>();
  const counts = new Map<string, number>();
  const exchanges: Exchange[] = [];
  const server = http.createServer((req, res) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const route = routes.get(path);
      res.on("finish", () => exchanges.push({ path, start, end: performance.now() }));
      const delayed = route?.delayMs ? new Promise((resolve) => setTimeout(resolve, route.delayMs)) : Promise.resolve();
      delayed.then(() => answer(route, Buffer.concat(chunks))).then(
        ({ status, type, body, chunked }) => {
          const length = body && !chunked ? { "content-length": String(body.length) } : {};
          res.writeHead(status, { ...(type ? { "content-type": type } : {}), ...length });
          // Written in two pieces, Node sends the body chunked, without a Content-Length.
          if (chunked && body) res.write(body.subarray(0, 1));
          res.end(chunked && body ? body.subarray(1) : body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    route: (path, route) => void routes.set(path, route),
    requests: (path) => counts.get(path) ?? 0,
    exchanges: () => [...exchanges].sort((a, b) => a.start - b.start),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
