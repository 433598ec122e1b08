// The README's configuration table is the operator's reference: every setting the config
// module reads must be documented there.
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { configVariables } from "../../src/config.js";

describe("README (unit)", () => {
  it("documents every configuration variable and the two commands", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    for (const variable of configVariables) expect(readme, variable).to.include(`\`${variable}\``);
    expect(readme).to.include("npm start");
    expect(readme).to.include("npm test");
  });
});
