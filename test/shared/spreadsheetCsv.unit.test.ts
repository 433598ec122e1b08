// Spreadsheet-safe CSV: no cell starts a formula, and every cell reads back as it was.
import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { fromSpreadsheetCell, joinTags, SPREADSHEET_SAFE, splitTags } from "../../src/shared/spreadsheetCsv.js";

const values = ["=1+1", "+plus", "-minus", "@SUM(A1)", "\tTab", "'quoted", "''twice", "'=both", "plain", "#hash", "semi;colon", "back\\slash", ""];

describe("spreadsheet-safe CSV (unit)", () => {
  it("writes no cell a spreadsheet runs as a formula, keeps negative numbers as numbers, and reads every cell back as it was", () => {
    const text = stringify([values, [-3, 0, 12]], SPREADSHEET_SAFE);
    const [cells, numbers] = parse(text, { relax_column_count: true }) as string[][];
    expect(cells!.filter((c) => /^[=+\-@\t\r]/.test(c))).to.deep.equal([]);
    expect(cells!.map(fromSpreadsheetCell)).to.deep.equal(values);
    expect(numbers).to.deep.equal(["-3", "0", "12"]);
  });

  it("leaves a cell with an apostrophe of a person's own alone unless it escapes something", () => {
    expect(fromSpreadsheetCell("'quoted'")).to.equal("'quoted'");
    expect(fromSpreadsheetCell("'=x")).to.equal("=x");
    expect(fromSpreadsheetCell("''x")).to.equal("'x");
  });

  it("joins tags into one cell that splits back into the same tags, ';' and '\\' inside a tag included", () => {
    const tags = ["a;b", "back\\slash", "ends\\", "plain", "x\\;y"];
    expect(joinTags(tags)).to.equal("a\\;b;back\\\\slash;ends\\\\;plain;x\\\\\\;y");
    expect(splitTags(joinTags(tags))).to.deep.equal(tags);
    // As people write them: spaces around, empty ones, a lone backslash.
    expect(splitTags(" prod ; eu;;a\\b ")).to.deep.equal(["prod", "eu", "a\\b"]);
    expect(splitTags("")).to.deep.equal([]);
  });
});
