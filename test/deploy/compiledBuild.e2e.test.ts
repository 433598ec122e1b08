// Production runs the compiled build (dist/, from `npm run build`), not TypeScript through a
// loader: the `ssltrackr` launcher loads dist/, and its source maps make stack traces name the
// TypeScript lines. `npm test` builds before it runs the tests, so every test that spawns
// bin/ssltrackr.js (serve, the CLI commands) runs the compiled output.
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

function node(args: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("compiled build (e2e)", function () {
  this.timeout(60_000);

  it("the launcher runs dist/ with no TypeScript loader", async () => {
    const { code, stdout } = await node(["bin/ssltrackr.js", "--help"]);
    expect(code).to.equal(0);
    expect(stdout).to.match(/^usage: ssltrackr/);
    // A copy with bin/, dist/ and the dependencies but no src/ runs the same.
    const dir = await mkdtemp(path.join(os.tmpdir(), "ssltrackr-dist-"));
    try {
      await cp(path.join(REPO, "bin"), path.join(dir, "bin"), { recursive: true });
      await cp(path.join(REPO, "dist"), path.join(dir, "dist"), { recursive: true });
      await cp(path.join(REPO, "package.json"), path.join(dir, "package.json"));
      await symlink(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
      const copy = await node(["bin/ssltrackr.js", "--help"], dir);
      expect(copy.code, copy.stderr).to.equal(0);
      expect(copy.stdout).to.match(/^usage: ssltrackr/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stack traces from compiled code name the TypeScript file and line", async () => {
    const script = [
      "process.setSourceMapsEnabled(true);",
      "const { loadConfig } = await import('./dist/src/config.js');",
      "try { loadConfig({ PORT: 'not-a-port' }); } catch (err) { console.log(err.stack); }",
    ].join("\n");
    const { stdout } = await node(["--input-type=module", "-e", script]);
    expect(stdout).to.include("Invalid configuration");
    expect(stdout).to.match(/src\/config\.ts:\d+:\d+/);
    expect(stdout).not.to.include("dist/src/config.js");
  });

  it("says how to build when dist/ is missing", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ssltrackr-nodist-"));
    try {
      await cp(path.join(REPO, "bin"), path.join(dir, "bin"), { recursive: true });
      const { code, stderr } = await node(["bin/ssltrackr.js", "--help"], dir);
      expect(code).to.equal(1);
      expect(stderr).to.include("npm run build");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
