// Writes the API's OpenAPI document (built from the routes' zod schemas, as GET
// /api/v1/openapi.json serves it) to a file, for the dashboard's generated client types:
// `npm run web:api` turns it into web/src/api/schema.gen.ts, so a change of the API that the
// dashboard does not follow fails its type-check. Usage: node --import tsx scripts/emitOpenApi.ts OUT
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { openApiDocument } from "../src/app/openapiRoutes.js";

const out = process.argv[2];
if (!out) throw new Error("usage: emitOpenApi.ts OUT_FILE");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
