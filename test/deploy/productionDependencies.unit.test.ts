// The production image installs only `dependencies` (npm ci --omit=dev) beside dist/: every
// package the service's code imports, or resolves files from, must be one of them.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtinModules } from "node:module";
import { expect } from "chai";
import pkg from "../../package.json" with { type: "json" };

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const SPECIFIER = /(?:from\s+|import\(\s*|\.resolve\(\s*)"([^".][^"]*)"/g;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(REPO, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => path.join(e.parentPath, e.name));
}

const packageName = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

describe("production dependencies (unit)", () => {
  it("every package that src/ and projections/ use is a production dependency", async () => {
    const used = new Set<string>();
    for (const file of [...(await sources("src")), ...(await sources("projections"))]) {
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(SPECIFIER)) {
        const name = packageName(match[1]!);
        if (!name.startsWith("node:") && !builtinModules.includes(name)) used.add(name);
      }
    }
    expect(used.size).to.be.greaterThan(5);
    const production = Object.keys(pkg.dependencies);
    for (const name of used) expect(production, `${name} is imported by the service`).to.include(name);
  });
});
