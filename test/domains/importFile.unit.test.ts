// The import file formats of `ssltrackr domains import`: plain lists and CSV with a header.
import { expect } from "chai";
import { ImportFileError, parseImportFile } from "../../src/domains/importFile.js";

describe("domain import files (unit)", () => {
  it("reads a plain list: host or host:port a line, comments and blank lines skipped, line numbers kept", () => {
    const file = parseImportFile(["# our sites", "", "example.com", "shop.example.com:8443  # the shop", "  api.example.com  ", "bad.example.com:http"].join("\n"));
    expect(file.format).to.equal("list");
    expect(file.problems).to.deep.equal([]);
    expect(file.rows).to.deep.equal([
      { line: 3, body: { hostname: "example.com" } },
      { line: 4, body: { hostname: "shop.example.com", port: 8443 } },
      { line: 5, body: { hostname: "api.example.com" } },
      // Left for the API's validation, which names the field.
      { line: 6, body: { hostname: "bad.example.com", port: "http" } },
    ]);
  });

  it("passes a URL in a plain list whole, for the API to name the scheme, not as a host and a port", () => {
    const file = parseImportFile("https://shop.example.com/\nhttp://api.example.com:8443\n");
    expect(file.rows.map((r) => r.body)).to.deep.equal([{ hostname: "https://shop.example.com/" }, { hostname: "http://api.example.com:8443" }]);
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

  it("reports rows with the wrong number of fields by line", () => {
    const file = parseImportFile("hostname,port\na.example.com,443\nb.example.com,443,extra\nc.example.com\n");
    expect(file.problems).to.deep.equal([
      { line: 3, error: "the number of fields differs from the header's 2" },
      { line: 4, error: "the number of fields differs from the header's 2" },
    ]);
    expect(file.rows.map((r) => r.line)).to.deep.equal([2]);
  });

  it("refuses a CSV it cannot read to its end (a quote never closed) as a whole, saying why", () => {
    expect(() => parseImportFile('hostname,notes\na.example.com,"never closed\nb.example.com,x\n')).to.throw(ImportFileError, /^the CSV cannot be read .*Quote Not Closed/);
  });

  it("refuses a CSV header without hostname, or with unknown columns, before any row is read", () => {
    expect(() => parseImportFile("host,prt\na.example.com,443\n")).to.throw(ImportFileError, "line 1: a CSV header must name a hostname column");
    expect(() => parseImportFile("hostname;port\na.example.com;443\n")).to.throw(ImportFileError, "hostname column");
    expect(() => parseImportFile("# x\nhostname,port,owner\n")).to.throw(ImportFileError, "line 2: unknown column(s) owner");
  });

  it("reads its own export again: the export's fact columns are ignored", () => {
    const file = parseImportFile("id,hostname,port,status,is_active,ssl_grade,ssl_days_remaining,whois_days_remaining,tags,created_at\n0e5c,a.example.com,8443,valid,true,A,60,300,prod;eu,2026-01-01T00:00:00.000Z\n");
    expect(file.rows).to.deep.equal([{ line: 2, body: { hostname: "a.example.com", port: 8443, tags: ["prod", "eu"] } }]);
  });

  it("an empty file, or one of comments only, has no rows", () => {
    expect(parseImportFile("").rows).to.deep.equal([]);
    expect(parseImportFile("# nothing\n\n").rows).to.deep.equal([]);
  });
});
