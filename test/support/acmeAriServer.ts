// A local ACME server that serves only what ARI needs (RFC 9773): a directory naming its
// renewalInfo URL, and a RenewalInfo object per certificate id that tests set and move, with
// a Retry-After of their choice. Records every request. Loopback only.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface AriAnswer {
  readonly status?: number;
  readonly window?: { start: Date; end: Date };
  readonly explanationUrl?: string;
  /** Retry-After header value (seconds or an HTTP-date); omitted when undefined. */
  readonly retryAfter?: string;
  /** Sent as is instead of a RenewalInfo object. */
  readonly rawBody?: string;
}

export interface AcmeAriServer {
  readonly directoryUrl: string;
  /** Paths requested, in order (directory and renewalInfo). */
  readonly requests: string[];
  /** Certificate ids asked about, in order. */
  readonly renewalInfoRequests: () => string[];
  /** The answer for every certificate id from now on. */
  answer(answer: AriAnswer): void;
  /** Serve a directory without renewalInfo (a CA without ARI). */
  withoutAri(): void;
  close(): Promise<void>;
}

export async function startAcmeAriServer(): Promise<AcmeAriServer> {
  const requests: string[] = [];
  let current: AriAnswer = { status: 404 };
  let ari = true;
  let base = "";
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", base).pathname;
    requests.push(path);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (path === "/directory") {
      return json(200, { newNonce: `${base}/new-nonce`, newOrder: `${base}/new-order`, ...(ari ? { renewalInfo: `${base}/renewal-info` } : {}) });
    }
    if (path.startsWith("/renewal-info/")) {
      const headers: Record<string, string> = current.retryAfter !== undefined ? { "retry-after": current.retryAfter } : {};
      if (current.rawBody !== undefined) return json(current.status ?? 200, current.rawBody, headers);
      if (!current.window) return json(current.status ?? 404, { type: "urn:ietf:params:acme:error:malformed" }, headers);
      const body = {
        suggestedWindow: { start: current.window.start.toISOString(), end: current.window.end.toISOString() },
        ...(current.explanationUrl ? { explanationURL: current.explanationUrl } : {}),
      };
      return json(current.status ?? 200, body, headers);
    }
    json(404, { type: "urn:ietf:params:acme:error:malformed" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    directoryUrl: `${base}/directory`,
    requests,
    renewalInfoRequests: () => requests.filter((p) => p.startsWith("/renewal-info/")).map((p) => p.slice("/renewal-info/".length)),
    answer: (a) => {
      current = a;
    },
    withoutAri: () => {
      ari = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
