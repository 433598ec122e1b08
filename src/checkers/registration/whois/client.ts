// One WHOIS query over TCP (RFC 3912): send the query line, read until the server closes.
// The read is capped (a misbehaving server cannot fill memory) and timed out as a whole.
import { connect } from "node:net";
import { LookupFailure, networkFailure } from "../failure.js";

export interface WhoisEndpoint {
  host: string;
  port: number;
}

export interface WhoisAnswer {
  text: string;
  truncated: boolean;
}

export interface WhoisQueryOptions {
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * WHOIS has no charset negotiation. Most servers send UTF-8; older ones Latin-1 (ISO 8859-1,
 * read as its superset windows-1252). Valid UTF-8 is taken as such, anything else as Latin-1.
 */
export function decodeWhois(bytes: Buffer, truncated = false): string {
  try {
    // stream (only when cut by the size cap): a split last character is dropped, not an error
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: truncated });
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

export function queryWhois(endpoint: WhoisEndpoint, query: string, options: WhoisQueryOptions): Promise<WhoisAnswer> {
  const where = `WHOIS ${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LookupFailure("timeout", `${where}: no complete answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const finish = (truncated: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(chunks).subarray(0, options.maxResponseBytes);
      resolve({ text: decodeWhois(bytes, truncated), truncated });
    };
    socket.on("connect", () => socket.write(query));
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > options.maxResponseBytes) finish(true);
    });
    socket.on("end", () => finish(false));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(networkFailure(err, where));
    });
  });
}
