// Bulk add input: pasted hostnames or a CSV file, one domain a line. A line is
// `hostname[,port[,tags]]` with tags separated by spaces or semicolons; a header line naming
// `hostname` is skipped, as are blank lines and lines starting with #. Each kept line keeps
// its line number so the per-line results of POST /domains/bulk can be shown against it.

export interface BulkLine {
  readonly line: number;
  readonly text: string;
  readonly domain: { hostname: string; port?: number; tags?: string[] };
}

export function parseBulkLines(input: string): BulkLine[] {
  const lines: BulkLine[] = [];
  input.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trim();
    if (!text || text.startsWith("#")) return;
    const [hostname = "", port = "", tags = ""] = text.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
    if (i === 0 && hostname.toLowerCase() === "hostname") return;
    const domain: BulkLine["domain"] = { hostname };
    // A port that is not a number becomes NaN, sent as null: the API answers that line's 400.
    if (port) domain.port = Number(port);
    const tagList = tags.split(/[;\s]+/).filter(Boolean);
    if (tagList.length) domain.tags = tagList;
    lines.push({ line: i + 1, text, domain });
  });
  return lines;
}
