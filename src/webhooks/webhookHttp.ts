// One webhook POST. It connects only to the addresses the SSRF guard approved (a pinned
// lookup instead of DNS, so the name cannot re-resolve elsewhere between check and connect),
// on a fresh connection, under one deadline for connect, TLS, request and response head.
// Redirects are not followed: a 3xx is an answer like any other non-2xx.
import http from "node:http";
import https from "node:https";
import { pinnedLookup } from "../infrastructure/network/pinnedLookup.js";

export interface WebhookRequest {
  readonly url: URL;
  /** Addresses from resolveWebhookTarget(): the only ones we may connect to. */
  readonly addresses: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** Resolves with the receiver's status code; rejects on a network error or the deadline. */
export function postWebhook(request: WebhookRequest): Promise<number> {
  const client = request.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      request.url,
      {
        method: "POST",
        headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
        lookup: pinnedLookup(request.addresses),
        // A pooled socket might lead to an address approved for an earlier attempt.
        agent: false,
      },
      (res) => {
        clearTimeout(timer);
        // The status is the answer; the receiver's body is not read.
        res.destroy();
        resolve(res.statusCode ?? 0);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${request.timeoutMs} ms`)), request.timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(request.body);
  });
}
