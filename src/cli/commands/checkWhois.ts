// `ssltrackr check-whois <hostname> [--json]`: one registration (RDAP/WHOIS) lookup, printed.
// Exit 0 when the lookup ran, whatever it found; 1 when the hostname has no registrable
// domain; 2 on usage errors.
import { parseArgs } from "node:util";
import type { RegistrationCheckResult } from "../../checkers/registration/index.js";
import { loadConfig } from "../../config.js";
import { checkersFromConfig } from "../../monitoring/checkers.js";
import { systemClock } from "../../shared/clock.js";

const USAGE = "usage: ssltrackr check-whois <hostname> [--json]\n";

function describe(result: RegistrationCheckResult): string {
  if (result.outcome === "failed") {
    const retry = result.retry_after_seconds === null ? "" : ` (retry in ${result.retry_after_seconds} s)`;
    const rdap = result.rdap_error ? `  before that, RDAP: ${result.rdap_error.reason}: ${result.rdap_error.message}\n` : "";
    return `${result.domain}: lookup failed: ${result.reason}${retry}\n  ${result.message}\n${rdap}`;
  }
  const dnssec = result.dnssec === null ? "not stated" : result.dnssec ? "signed" : "unsigned";
  const days = result.days_remaining === null ? "" : ` (${result.days_remaining} days)`;
  const rows: Array<[string, string]> = [
    ["domain", result.domain],
    ["source", `${result.source} ${result.server}`],
    ["registrar", result.registrar ?? "-"],
    ["created", result.created_date ?? "-"],
    ["expires", `${result.expiry_date ?? "-"}${days}`],
    ["dnssec", dnssec],
    ["nameservers", result.nameservers.join(", ") || "-"],
    ["statuses", result.statuses.join(", ") || "-"],
  ];
  const from = result.field_sources;
  if (result.registry_expiry_date) rows.push(["registry exp", `${result.registry_expiry_date}${from?.registry_expiry_date ? ` (${from.registry_expiry_date})` : ""}`]);
  if (result.registrar_expiry_date) rows.push(["registrar exp", `${result.registrar_expiry_date}${from?.registrar_expiry_date ? ` (${from.registrar_expiry_date})` : ""}`]);
  if (result.rdap_error) rows.push(["rdap error", `${result.rdap_error.reason}: ${result.rdap_error.message}`]);
  for (const e of result.supplementary_errors) rows.push([`${e.origin} error`, `${e.reason}: ${e.message}`]);
  return rows.map(([k, v]) => `${k.padEnd(12)} ${v}\n`).join("");
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { json: { type: "boolean", default: false } }, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`ssltrackr check-whois: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [hostname, ...extra] = parsed.positionals;
  if (!hostname || extra.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const result = await checkersFromConfig(loadConfig(), systemClock).registration(hostname);
  process.stdout.write(parsed.values.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
  return result.outcome === "failed" && result.reason === "invalid_hostname" ? 1 : 0;
}
