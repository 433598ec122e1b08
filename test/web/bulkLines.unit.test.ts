// The dashboard's bulk-add input: pasted lines or a CSV file become POST /domains/bulk items,
// each keeping its line number for the per-line results.
import { expect } from "chai";
import { parseBulkLines } from "../../web/src/pages/bulkLines.js";

describe("Dashboard bulk-add lines (unit)", () => {
  it("reads hostname, port and tags, keeping line numbers", () => {
    expect(parseBulkLines("example.com\n\nexample.org,8443,prod;eu web\n")).to.deep.equal([
      { line: 1, text: "example.com", domain: { hostname: "example.com" } },
      { line: 3, text: "example.org,8443,prod;eu web", domain: { hostname: "example.org", port: 8443, tags: ["prod", "eu", "web"] } },
    ]);
  });

  it("skips a CSV header on the first line only, comments, blank lines; unquotes cells; reads CRLF", () => {
    const lines = parseBulkLines('hostname,port,tags\r\n# a comment\r\n"a.example",,\r\nhostname\r\n');
    expect(lines.map((l) => [l.line, l.domain])).to.deep.equal([
      [3, { hostname: "a.example" }],
      [4, { hostname: "hostname" }],
    ]);
  });

  it("passes a port that is not a number on as NaN (sent as null), for the API to refuse that line", () => {
    const [line] = parseBulkLines("example.com,https");
    expect(Number.isNaN(line?.domain.port)).to.equal(true);
    expect(JSON.parse(JSON.stringify(line?.domain))).to.deep.equal({ hostname: "example.com", port: null });
  });

  it("is empty for nothing but blanks", () => {
    expect(parseBulkLines(" \n\n")).to.deep.equal([]);
  });
});
