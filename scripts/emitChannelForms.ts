// Writes each notification channel type's `config` as JSON Schema (input side: defaults shown,
// transforms ignored) with its secret fields named, for the dashboard's channel form
// (web/src/pages/NotificationChannels.tsx). The API document types `config` as an open object
// (each type's shape is in docs/notifications.md), so the form takes the fields from the
// server's own zod schemas (src/notifications/channelTypes.ts) rather than a hand-written copy.
// Usage: node --import tsx scripts/emitChannelForms.ts OUT
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { channelSchemas } from "../src/notifications/channelTypes.js";

const out = process.argv[2];
if (!out) throw new Error("usage: emitChannelForms.ts OUT_FILE");
const forms = Object.fromEntries(
  Object.entries(channelSchemas).map(([type, { config, secrets }]) => [type, { config: z.toJSONSchema(config, { io: "input", unrepresentable: "any" }), secrets }]),
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(forms, null, 2)}\n`);
