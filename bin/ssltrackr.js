#!/usr/bin/env node
// Runs the compiled CLI in dist/ (`npm run build`; `npm install`, `npm start` and `npm test`
// build first). Source maps are on, so stack traces name the TypeScript lines.
import { existsSync } from "node:fs";

process.setSourceMapsEnabled(true);
const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("ssltrackr: the compiled build is missing (dist/); run `npm run build` first\n");
  process.exit(1);
}
await import(main.href);
