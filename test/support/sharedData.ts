// Locates the shared test corpus (real WHOIS/RDAP answers) that lives beside the repository,
// never inside it. CI clones the repo with shared/ next to it; SSLTRACKR_SHARED_DIR overrides.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Absolute path of shared/data/<parts>, or undefined when the corpus is not there. */
export function sharedDataPath(...parts: string[]): string | undefined {
  const base = process.env.SSLTRACKR_SHARED_DIR ?? path.resolve(repoRoot, "../shared");
  const full = path.join(base, "data", ...parts);
  return existsSync(full) ? full : undefined;
}

/** For mocha `before` hooks: the corpus path, or skips the suite saying why. */
export function sharedDataOrSkip(ctx: Mocha.Context, ...parts: string[]): string {
  const found = sharedDataPath(...parts);
  if (found) return found;
  const message = `shared corpus not found (shared/data/${parts.join("/")}); set SSLTRACKR_SHARED_DIR to run these tests`;
  console.log(`      skipped: ${message}`);
  ctx.skip();
  throw new Error(message); // not reached: skip() throws
}
