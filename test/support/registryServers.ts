// Local stand-ins for registry servers, on 127.0.0.1 with an ephemeral port: a WHOIS server
// (TCP, RFC 3912) and an RDAP server (HTTP). Each records what it was asked and answers
// through a handler, so a test can serve corpus answers, throttle, stall or flood.
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface RunningServer {
  port: number;
  /** queries (WHOIS lines without CRLF) or request paths (RDAP), in arrival order */
  received: string[];
  close(): Promise<void>;
}

export interface WhoisReply {
  body: string | Buffer;
  /** wait this long before answering */
  delayMs?: number;
  /** never answer nor close: a stalled server */
  hang?: boolean;
}

export interface RdapReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

async function listen(server: Server | ReturnType<typeof createHttpServer>, sockets: Set<Socket>): Promise<number> {
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  return address.port;
}

function closer(server: { close(cb: () => void): unknown }, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** A WHOIS server: reads one query line, answers with handler(query), closes. */
export async function startWhoisServer(handler: (query: string) => WhoisReply): Promise<RunningServer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    let buffer = "";
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      const eol = buffer.indexOf("\n");
      if (eol < 0) return;
      const query = buffer.slice(0, eol).replace(/\r$/, "");
      received.push(query);
      const reply = handler(query);
      if (reply.hang) return;
      setTimeout(() => socket.end(reply.body), reply.delayMs ?? 0);
    });
  });
  const port = await listen(server, sockets);
  return { port, received, close: closer(server, sockets) };
}

/** An RDAP server: answers GET <path> with handler(path) as application/rdap+json. */
export async function startRdapServer(handler: (path: string) => RdapReply): Promise<RunningServer & { baseUrl: string }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    const path = req.url ?? "/";
    received.push(path);
    const reply = handler(path);
    res.writeHead(reply.status ?? 200, { "content-type": "application/rdap+json", ...reply.headers });
    res.end(reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
  });
  const port = await listen(server, sockets);
  return { port, received, baseUrl: `http://127.0.0.1:${port}/`, close: closer(server, sockets) };
}

/** A loopback port that nobody listens on (bound, then released): connections are refused. */
export async function unusedPort(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createTcpServer();
  const port = await listen(server, sockets);
  await closer(server, sockets)();
  return port;
}

/**
 * Writes an RFC 9224 bootstrap file mapping `tlds` to `baseUrl` (a local RDAP server), for
 * SSLTRACKR_RDAP_BOOTSTRAP / the rdapBootstrap option. Returns its path.
 */
export function writeBootstrapFile(tlds: string[], baseUrl: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ssltrackr-rdap-"));
  const file = path.join(dir, "dns.json");
  const services = tlds.length > 0 ? [[tlds, [baseUrl]]] : [];
  writeFileSync(file, JSON.stringify({ version: "1.0", publication: new Date().toISOString(), services }));
  return file;
}
