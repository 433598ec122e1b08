// Requests Node's HTTP parser refuses before Express sees them (headers over the 16 KiB
// limit, a malformed request line or header, a request too slow to arrive) get the same
// {"error": ...} JSON body as every other error, not Node's empty answer.
import { STATUS_CODES, type Server } from "node:http";
import type { Duplex } from "node:stream";

/** The status and message for a parser error code (llhttp's HPE_* codes, Node's ERR_HTTP_*). */
function answerFor(code: string | undefined): [number, string] {
  if (code === "HPE_HEADER_OVERFLOW") return [431, "Request headers too large (limit 16 KiB in all)"];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, "The request did not arrive in time"];
  return [400, "Malformed HTTP request"];
}

/** Answers parser errors on `server`'s connections with a JSON error, then closes them. */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection reset or already answered: there is no one to tell.
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message] = answerFor(err.code);
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
