// `ssltrackr check-ssl <hostname>[:port] [--json]`: one TLS check, printed as a summary or as
// the full result. Exit 0 when the check ran (whatever the grade), 1 when it could not run,
// 2 on usage errors.
import { parseArgs } from "node:util";
import type { EndpointResult, SslCheckOk } from "../../checkers/ssl/index.js";
import type { RenewalInfo } from "../../checkers/ari/index.js";
import { lifetimeDays } from "../../monitoring/relativeExpiry.js";
import { loadConfig } from "../../config.js";
import { checkersFromConfig } from "../../monitoring/checkers.js";
import { systemClock } from "../../shared/clock.js";

const USAGE = "usage: ssltrackr check-ssl <hostname>[:port] [--json]\n";

function splitHostPort(arg: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(arg);
  if (bracketed) return [bracketed[1]!, bracketed[2]];
  const parts = arg.split(":");
  // Exactly one colon separates a port; more means a bare IPv6 address.
  return parts.length === 2 ? [parts[0]!, parts[1]] : [arg, undefined];
}

/** "example.com", "example.com:8443", "[2001:db8::1]:8443" or a bare IPv6 address. */
export function parseTarget(arg: string): { hostname: string; port: number } | null {
  const [hostname, portText] = splitHostPort(arg);
  const port = portText === undefined ? 443 : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  return hostname && port >= 1 && port <= 65535 ? { hostname, port } : null;
}

const yesNo = (value: boolean | null) => (value === null ? "n/a" : value ? "yes" : "no");

function endpointLine(e: EndpointResult): string {
  return e.outcome === "ok" ? `${e.ip_address} ${e.grade}` : `${e.ip_address} failed (${e.reason})`;
}

const SOURCE_NAMES = { staple: "stapled OCSP response", ocsp: "OCSP responder", crl: "CRL" } as const;

function revocationLine(r: SslCheckOk): string {
  const from = r.revocation_source ? ` (${SOURCE_NAMES[r.revocation_source]})` : "";
  if (r.revocation === "revoked") return `revoked on ${r.revoked_at}, ${r.revocation_reason}${from}`;
  if (r.revocation === "unknown") return `unknown: ${r.revocation_reason}`;
  return r.revocation ? `${r.revocation}${from}` : "-";
}

/** The CA's renewal window (ACME ARI), or why there is none. */
function renewalLine(info: RenewalInfo | undefined): string {
  if (!info) return "no ARI for this issuer (docs/alerts.md)";
  if (!info.renewal_window) return `unknown (${info.message ?? "the CA did not answer"})`;
  const why = info.explanation_url ? `; explained at ${info.explanation_url}` : "";
  return `${info.renewal_window.start} to ${info.renewal_window.end} (ARI, ${info.directory_url}${why})`;
}

function describe(r: SslCheckOk, renewal: RenewalInfo | undefined): string {
  const protocols = Object.entries(r.protocols).filter(([, on]) => on).map(([v]) => v);
  const suites = r.cipher_suites;
  const chain = r.chain_valid ? "valid" : `invalid: ${r.chain_errors.map((e) => `${e.reason} (${e.message})`).join("; ")}`;
  const hsts = r.hsts_details.error ? `unknown (${r.hsts_details.error})` : (r.hsts_details.header ?? "none");
  const rows: Array<[string, string]> = [
    ["target", `${r.hostname}:${r.port} (${r.ip_address})`],
    ["grade", `${r.grade} (score ${r.score.total}: protocol ${r.score.protocol}, key exchange ${r.score.key_exchange}, cipher strength ${r.score.cipher_strength})`],
    ["subject", r.subject],
    ["issuer", r.issuer],
    ["valid", `${r.valid_from} to ${r.valid_to} (${r.days_remaining} days left)`],
    ["lifetime", `${Math.round(lifetimeDays(r.valid_from, r.valid_to) * 100) / 100} days`],
    ["renewal", renewalLine(renewal)],
    ["expires first", `${r.earliest_expiry.subject} on ${r.earliest_expiry.valid_to} (${r.earliest_expiry.days_remaining} days, ${r.earliest_expiry.ip_address})`],
    ["chain", chain],
    ["revocation", revocationLine(r)],
    ["path", r.chain.map((c) => c.subject).join(" <- ")],
    ["sent", r.served_certificates ? `${r.served_certificates.length} certificate(s); ${r.chain_issues?.map((i) => i.code).join(", ") || "no issues"}` : "-"],
    ["names", r.sans.join(", ") || "-"],
    ["serial", r.serial_number],
    ["sha256", r.fingerprint_sha256],
    ["key", `${r.key.type} ${r.key.bits} bits${r.key.curve ? ` (${r.key.curve})` : ""}, signed ${r.signature_algorithm}`],
    ["protocols", `${protocols.join(", ")}; negotiated ${r.tls_version} ${r.cipher.name}`],
    ["suites", `forward secrecy ${yesNo(suites.forward_secrecy)}, AEAD ${yesNo(suites.aead)}, RC4 ${yesNo(suites.rc4)}, 3DES ${yesNo(suites.triple_des)}, CBC only ${yesNo(suites.cbc_only)}`],
    ["renegotiation", `secure ${yesNo(r.secure_renegotiation)}`],
    ["hsts", hsts],
    ...r.grade_reasons.map((g): [string, string] => ["capped", `${g.cap}: ${g.message}`]),
  ];
  if (r.endpoints.length > 1) rows.push(["addresses", r.endpoints.map(endpointLine).join(", ")]);
  return rows.map(([k, v]) => `${k.padEnd(14)} ${v}\n`).join("");
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { json: { type: "boolean", default: false } }, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`ssltrackr check-ssl: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [arg, ...extra] = parsed.positionals;
  const target = arg && extra.length === 0 ? parseTarget(arg) : null;
  if (!target) {
    process.stderr.write(USAGE);
    return 2;
  }
  // The service's checkers, from the same settings (trusted roots, resolve overrides, timeouts).
  const checkers = checkersFromConfig(loadConfig(), systemClock);
  const result = await checkers.ssl(target);
  // A one-shot check has no cache to honour: it asks the CA once.
  const renewal = result.outcome === "ok" ? await checkers.renewalInfo?.(result, () => null) : undefined;
  if (parsed.values.json) process.stdout.write(`${JSON.stringify(renewal ? { ...result, renewal_info: renewal } : result, null, 2)}\n`);
  if (result.outcome === "failed") {
    process.stderr.write(`ssltrackr check-ssl: cannot check ${result.hostname}:${result.port}: ${result.reason}: ${result.message}\n`);
    return 1;
  }
  if (!parsed.values.json) process.stdout.write(describe(result, renewal));
  return 0;
}
