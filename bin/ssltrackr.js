#!/usr/bin/env node
// Thin launcher: registers the TypeScript loader, then runs the CLI, so `npx ssltrackr`
// works from a clone without a build step.
import { register } from "tsx/esm/api";
register();
await import(new URL("../src/cli/main.ts", import.meta.url).href);
