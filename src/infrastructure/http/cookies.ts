// Reading one cookie of a request (RFC 6265 §5.4 Cookie header: "name=value; name2=value2").
// Express sets cookies itself (res.cookie) but does not parse them; one value is all we read.
import type { Request } from "express";

/** The value of the first cookie named `name`, or undefined (no percent-decoding: our values are base64url). */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
  }
  return undefined;
}
