// The one rule for request strings: NUL and unpaired surrogates cannot be stored by
// PostgreSQL, wherever they occur (values, array items, object keys, nested).
import { expect } from "chai";
import { isStorable, unstorableStringPath } from "../../src/infrastructure/http/storableStrings.js";

describe("storable strings (unit)", () => {
  it("accepts ordinary text, emoji (paired surrogates) and other control characters", () => {
    for (const text of ["", "example.com", "bücher", "\ud83d\ude00", "tab\there", "\u0001"]) expect(isStorable(text), text).to.equal(true);
  });

  it("refuses NUL, a lone high surrogate, a lone low surrogate, and a pair in the wrong order", () => {
    for (const text of ["a\u0000b", "\ud800", "x\ud800y", "\udc00", "\udc00\ud800"]) expect(isStorable(text), JSON.stringify(text)).to.equal(false);
  });

  it("names the path of the first unstorable string, in values, array items and keys", () => {
    expect(unstorableStringPath({ hostname: "ok", tags: ["x", "b\u0000"], notes: "\ud800" })).to.deep.equal(["tags", 1]);
    expect(unstorableStringPath({ nested: { "k\u0000": 1 } })).to.deep.equal(["nested", "k\u0000"]);
    expect(unstorableStringPath("\udfff")).to.deep.equal([]);
    expect(unstorableStringPath({ a: [1, true, null, { b: "fine" }] })).to.equal(undefined);
  });

  it("walks a body nested 100,000 levels deep without overflowing the stack", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}"\\u0000"${"]".repeat(100_000)}`) as unknown;
    expect(unstorableStringPath(deep)).to.have.length(100_000);
  });
});
