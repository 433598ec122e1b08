// The import file formats of `ssltrackr domains import`: plain lists and CSV with a header.
import { expect } from "chai";
import { parseImportFile } from "../../src/domains/importFile.js";

describe("domain import files (unit)", () => {
  it("reads a plain list: host or host:port a line, comments and blank lines skipped, line numbers kept", () => {
    const file = parseImportFile(["# our sites", "", "example.com", "shop.example.com:8443  # the shop", "  api.example.com  ", "[2001:db8::1]:443", "2001:db8::2", "bad.example.com:http"].join("\n"));
    expect(file.format).to.equal("list");
    expect(file.problems).to.deep.equal([]);
    expect(file.rows).to.deep.equal([
      { line: 3, body: { hostname: "example.com" } },
      { line: 4, body: { hostname: "shop.example.com", port: 8443 } },
      { line: 5, body: { hostname: "api.example.com" } },
      { line: 6, body: { hostname: "2001:db8::1", port: 443 } },
      { line: 7, body: { hostname: "2001:db8::2" } },
      // Left for the API's validation, which names the field.
      { line: 8, body: { hostname: "bad.example.com", port: "http" } },
    ]);
  });

  it("reads CSV with a header in any column order: quoted fields, tags split on ';', CRLF, a BOM", () => {
    const csv = "\uFEFF# exported from the old monitor\r\nnotes,Hostname,port,tags\r\n\"main shop, EU\",shop.example.com,8443,prod; eu\r\n,api.example.com,,\r\n\"multi\nline\",docs.example.com,443,docs\r\n";
    const file = parseImportFile(csv);
    expect(file.format).to.equal("csv");
    expect(file.problems).to.deep.equal([]);
    expect(file.rows).to.deep.equal([
      { line: 3, body: { hostname: "shop.example.com", port: 8443, tags: ["prod", "eu"], notes: "main shop, EU" } },
      { line: 4, body: { hostname: "api.example.com" } },
      { line: 6, body: { hostname: "docs.example.com", port: 443, tags: ["docs"], notes: "multi\nline" } },
    ]);
  });

  it("reports unknown CSV columns and rows with the wrong number of fields by line", () => {
    const file = parseImportFile("hostname,port,owner\na.example.com,443,team-a\nb.example.com,443,team-b,extra\n");
    expect(file.problems).to.deep.equal([
      { line: 1, error: "Unknown column(s): owner; the columns are hostname, port, tags, notes" },
      { line: 3, error: "Expected 3 fields, found another number" },
    ]);
    expect(file.rows.map((r) => r.line)).to.deep.equal([2]);
  });

  it("an empty file, or one of comments only, has no rows", () => {
    expect(parseImportFile("").rows).to.deep.equal([]);
    expect(parseImportFile("# nothing\n\n").rows).to.deep.equal([]);
  });
});
