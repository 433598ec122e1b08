// One HTTP exchange with a CRL server or OCSP responder. Their URLs come from the certificate,
// which the checked server chose: each passes the SSRF guard, is connected to only at the
// approved addresses (no redirects followed), waits its turn at the politeness gate of that
// address like the checks' own connections, and its answer is read up to a size cap.
import { pinnedFetch } from "../../../infrastructure/network/pinnedFetch.js";
import { resolveTarget, TargetError } from "../../../infrastructure/network/targets.js";
import type { ConnectionGate } from "../connection.js";

export interface RevocationFetchOptions {
  allowPrivateTargets: boolean;
  resolveOverrides?: ReadonlyMap<string, readonly string[]> | undefined;
  /** For the DNS look-up, and again for the whole exchange. */
  timeoutMs: number;
  gate?: ConnectionGate | undefined;
}

/** A look-up that told nothing: the reason (without the URL) becomes part of `revocation_reason`. */
export class RevocationFetchError extends Error {
  override readonly name = "RevocationFetchError";
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new RevocationFetchError(`${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > maxBytes) throw new RevocationFetchError(`the answer is over the ${maxBytes}-byte limit`);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** GET `url`, or POST `body` to it; the answer's bytes, or a RevocationFetchError saying why not. */
export async function fetchRevocationData(
  url: string,
  request: { body?: Buffer; contentType?: string; accept: string; maxBytes: number },
  options: RevocationFetchOptions,
): Promise<Buffer> {
  const parsed = new URL(url);
  if (!/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password) throw new RevocationFetchError("not an http(s) URL without credentials");
  let addresses: string[];
  try {
    addresses = await resolveTarget(parsed.hostname, {
      allowPrivate: options.allowPrivateTargets,
      ...(options.resolveOverrides ? { resolveOverrides: options.resolveOverrides } : {}),
      timeoutMs: options.timeoutMs,
    });
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    throw new RevocationFetchError(err.message);
  }
  const release = options.gate ? await options.gate.acquire(addresses[0]!) : () => undefined;
  try {
    const headers = { accept: request.accept, ...(request.contentType ? { "content-type": request.contentType } : {}) };
    const signal = AbortSignal.timeout(options.timeoutMs);
    const response = await pinnedFetch(addresses)(parsed, { method: request.body ? "POST" : "GET", headers, signal, ...(request.body ? { body: request.body } : {}) });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new RevocationFetchError(`HTTP ${response.status}`);
    }
    return await readCapped(response, request.maxBytes);
  } catch (err) {
    if (err instanceof RevocationFetchError) throw err;
    const error = err as NodeJS.ErrnoException;
    throw new RevocationFetchError(error.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : (error.code ?? error.message));
  } finally {
    release();
  }
}
