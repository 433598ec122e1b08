// A fetch-shaped GET (or POST of a byte body) that connects only to addresses the SSRF guard approved (pinned lookup,
// fresh connection, no redirects followed), for outbound requests to URLs that third parties
// chose, such as a registrar's RDAP link. Returns a standard Response so callers read it like
// any fetch answer (streamed body, status, headers); the request's AbortSignal is honoured.
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { pinnedLookup } from "./pinnedLookup.js";

/** Statuses whose Response may not carry a body (Fetch standard "null body status"). */
const NULL_BODY = new Set([101, 204, 205, 304]);

export function pinnedFetch(addresses: readonly string[]): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason as Error);
      const client = url.protocol === "https:" ? https : http;
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const req = client.request(url, { method: init?.method ?? "GET", headers, lookup: pinnedLookup(addresses), agent: false }, (res) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
        }
        const status = res.statusCode ?? 0;
        const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        if (body === null) res.resume();
        resolve(new Response(body, { status, headers: responseHeaders }));
      });
      const abort = () => req.destroy(signal?.reason as Error);
      signal?.addEventListener("abort", abort, { once: true });
      req.on("error", reject);
      req.on("close", () => signal?.removeEventListener("abort", abort));
      // Byte bodies only (an OCSP request); other body types are not needed and not sent.
      req.end(init?.body instanceof Uint8Array ? init.body : undefined);
    });
}
