// Reading one attribute out of a distinguished name as the SSL checker formats it, RFC 4514
// style: "CN=R11, O=Let's Encrypt, C=US", special characters escaped with a backslash
// ("O=Example\, Inc.") or as hex pairs ("\C3\BC").

/** Splits at the commas that are not escaped. */
function attributes(dn: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === "\\") i++;
    else if (dn[i] === ",") {
      parts.push(dn.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(dn.slice(start));
  return parts.map((p) => p.trimStart());
}

/** Runs of hex pairs are UTF-8 bytes; any other escaped character stands for itself. */
const unescape = (value: string): string =>
  value.replace(/((?:\\[0-9A-Fa-f]{2})+)|\\(.)/gsu, (_, hex: string | undefined, char: string | undefined) =>
    hex ? Buffer.from(hex.replaceAll("\\", ""), "hex").toString("utf8") : (char ?? ""),
  );

/** The first value of attribute `type` (e.g. "O", "CN"), or null when the name has none. */
export function dnAttribute(dn: string, type: string): string | null {
  for (const part of attributes(dn)) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).toUpperCase() === type.toUpperCase()) return unescape(part.slice(eq + 1));
  }
  return null;
}
