// Per-field accuracy of parseWhois over the shared WHOIS corpus (shared/data/whois): parses
// every sample, compares with expected.json and prints a Markdown table and the misses.
// Comparison is by meaning, not form: dates as instants, name servers as sets, registrar
// case-insensitively. Exit 0 when it ran (below-target fields are flagged in the table).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseWhois } from "../src/checkers/registration/index.js";
import { effectiveExpiry } from "../src/checkers/registration/record.js";
import { sharedDataPath } from "../test/support/sharedData.js";

interface Expected {
  tld: string;
  file: string;
  registrar: string | null;
  created: string | null;
  expires: string | null;
  nameservers: string[] | null;
  dnssec: boolean | null;
  source: string;
}

type Field = "registrar" | "created" | "expires" | "nameservers" | "dnssec";
const TARGETS: Record<Field, number> = { registrar: 0.9, created: 0.9, expires: 0.95, nameservers: 0.95, dnssec: 0.9 };

/** Expected dates without a zone are read as UTC, as the parser reads the raw text. */
function instant(iso: string, yearFrom: string | null): number {
  const withYear = iso.includes("%Y") && yearFrom ? iso.replace("%Y", yearFrom.slice(0, 4)) : iso;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(withYear) || withYear.length === 10 ? withYear : `${withYear}Z`;
  return Date.parse(zoned);
}

function sameDate(expected: string, got: string | null): boolean {
  return got !== null && instant(expected, got) === Date.parse(got);
}

function sameNameservers(expected: string[], got: string[]): boolean {
  const norm = (list: string[]) => [...new Set(list.map((n) => n.toLowerCase().replace(/\.$/, "")))].sort().join(" ");
  return norm(expected) === norm(got);
}

const squash = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();

/**
 * Source B's dnssec is a Go bool: "false" is also what it says when the answer is silent.
 * When the raw text has no DNSSEC statement at all, our null ("not stated") is the same claim.
 */
function sameDnssec(expected: boolean, got: boolean | null, e: Expected, raw: string): boolean {
  if (got === expected) return true;
  return got === null && !expected && e.source.startsWith("likexian") && !/dnssec|signing key|ds-?list|dsl-id|signed/i.test(raw);
}

function main(): number {
  const dir = sharedDataPath("whois");
  if (!dir) {
    console.error("shared/data/whois not found (set SSLTRACKR_SHARED_DIR); nothing to measure");
    return 2;
  }
  const expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8")) as Record<string, Expected>;
  const counts = new Map<Field, { hit: number; total: number }>();
  const misses: string[] = [];
  let silentDnssec = 0;
  const score = (field: Field, id: string, ok: boolean, want: unknown, got: unknown) => {
    const c = counts.get(field) ?? { hit: 0, total: 0 };
    c.total++;
    if (ok) c.hit++;
    else misses.push(`| ${id} | ${field} | ${JSON.stringify(want)} | ${JSON.stringify(got)} |`);
    counts.set(field, c);
  };
  for (const [id, e] of Object.entries(expected)) {
    const raw = readFileSync(path.join(dir, e.file), "utf8");
    const got = parseWhois(raw, e.tld);
    const expiry = effectiveExpiry(got);
    if (e.registrar !== null) score("registrar", id, got.registrar !== null && squash(got.registrar) === squash(e.registrar), e.registrar, got.registrar);
    if (e.created !== null && !/^before/.test(e.created)) score("created", id, sameDate(e.created, got.created), e.created, got.created);
    if (e.expires !== null) score("expires", id, sameDate(e.expires, expiry), e.expires, expiry);
    if (e.nameservers !== null) score("nameservers", id, sameNameservers(e.nameservers, got.nameservers), e.nameservers, got.nameservers);
    if (e.dnssec !== null) {
      const ok = sameDnssec(e.dnssec, got.dnssec, e, raw);
      if (ok && got.dnssec !== e.dnssec) silentDnssec++;
      score("dnssec", id, ok, e.dnssec, got.dnssec);
    }
  }
  console.log(`# WHOIS parser accuracy (${Object.keys(expected).length} samples)\n`);
  console.log("| field | correct | with expected value | accuracy | target | |\n|---|---|---|---|---|---|");
  for (const [field, target] of Object.entries(TARGETS) as Array<[Field, number]>) {
    const c = counts.get(field) ?? { hit: 0, total: 0 };
    const acc = c.total ? c.hit / c.total : 0;
    console.log(`| ${field} | ${c.hit} | ${c.total} | ${(acc * 100).toFixed(1)}% | ${target * 100}% | ${acc >= target ? "ok" : "BELOW TARGET"} |`);
  }
  console.log(`\ndnssec: ${silentDnssec} samples count as agreeing where the answer says nothing about DNSSEC, source B's Go default is false and the parser reports null (not stated).`);
  console.log(`\n## Misses (${misses.length})\n\n| sample | field | expected | parsed |\n|---|---|---|---|`);
  for (const line of misses) console.log(line);
  return 0;
}

process.exitCode = main();
