// Reads registrar, dates, name servers, DNSSEC and statuses out of a WHOIS answer. One
// table of key names covers the ~200 registries of the test corpus; the few that need more
// (handles resolved elsewhere in the answer, signed-delegation markers) are in fieldRules.ts.
import { normaliseNameservers, unlessRedacted, type RegistrationRecord } from "../record.js";
import { parseWhoisDate, provenOrder, type DayMonthOrder } from "./dates.js";
import { readEntries, type Entry } from "./entries.js";
import { dnssecFrom, registrarFrom, MONTH_FIRST_TLDS } from "./fieldRules.js";

// Keys that carry each date. The earliest entry in the answer wins: the domain's own object
// comes before contact and registrar objects that have "created:" lines of their own.
const CREATED = [
  "creation date", "created", "created on", "created date", "registered on", "registration date",
  "registration time", "domain registration date", "domain record activated", "record created",
  "record created on", "domain create date", "create date", "registered", "registered date",
  "domain created", "commencement date", "activation date", "domain name commencement date",
  "registration", "date registered", "created at", "creation", "data de registro", "fecha de registro",
  "registrado", "data de criação", "activation", "domain registered", "first registration date",
];
const REGISTRY_EXPIRY = [
  "registry expiry date", "expiration date", "expiry date", "expires", "expires on", "expire date",
  "expiration time", "paid till", "renewal date", "valid until", "domain expiration date",
  "record expires on", "domain expires", "expire", "expiry", "expiration", "exp date", "validity",
  "expires at", "date of expiry", "domain record expires", "fecha de vencimiento", "data de expiração",
  "free date", "renewal", "record will expire on",
];
const REGISTRAR_EXPIRY = ["registrar registration expiration date"];
// Name-server keys vary most ("nserver", "Name Server (DB)", "ns_name_01", "Host Name" under a
// "Primary Name Server" heading), so they are matched by pattern.
const NS_KEY =
  /\b(?:name ?servers?|nservers?|dns(?: servers?)?|ns(?: name)?|domain servers|server hostname|(?:primary|secondary) server|servidor(?:es)? dns)\b/;
const NS_NOT = /\b(?:ip|ips|address|addresses|handle|status|ipv4|ipv6|v4|v6|ttl)\b/;
const NS_IN_SECTION = /^(?:name|host ?name|host|(?:\w+ )?server)$/;
const HOST = /^(?=.*[a-z])[a-z0-9_-]+(?:\.[a-z0-9_-]+)+\.?$/i;
const PLACEHOLDER_HOSTS = new Set(["not.defined", "not.defined."]);
const STATUS = ["domain status", "status", "state", "domain state", "registration status"];
const REFERRAL = ["registrar whois server", "whois server", "referralserver"];

function valuesOf(entries: Entry[], keys: string[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    for (const e of entries) if (e.key === key && e.value !== "") out.push(e.value);
  }
  return out;
}

/** The earliest entry with one of `keys` that holds a date: the domain's own object comes first. */
function firstDate(entries: Entry[], keys: string[], order: DayMonthOrder): string | null {
  const wanted = new Set(keys);
  for (const e of entries) {
    const iso = wanted.has(e.key) ? parseWhoisDate(e.value, order) : null;
    if (iso) return iso;
  }
  return null;
}

function isNameserverEntry(e: Entry): boolean {
  if (NS_KEY.test(e.key) && !NS_NOT.test(e.key)) return true;
  return NS_IN_SECTION.test(e.key) && NS_KEY.test(e.section) && !NS_NOT.test(e.section);
}

/**
 * First token of each name-server value ("ns1.x.com 192.0.2.1" -> "ns1.x.com"), host names
 * only. The domain itself is dropped: DK Hostmaster's "DNS:" line repeats the domain name.
 */
function nameserversFrom(entries: Entry[]): string[] {
  const domain = valuesOf(entries, ["domain name", "domain"])[0]?.toLowerCase();
  const hosts = entries
    .filter(isNameserverEntry)
    .map((e) => e.value.split(/[\s,]+/)[0] ?? "")
    .filter((h) => HOST.test(h) && !PLACEHOLDER_HOSTS.has(h.toLowerCase()));
  return normaliseNameservers(hosts).filter((h) => h !== domain);
}

function statusesFrom(entries: Entry[]): string[] {
  // "clientTransferProhibited https://icann.org/epp#clientTransferProhibited" -> the code only
  return [...new Set(valuesOf(entries, STATUS).map((v) => v.split(/\s+(?:https?:|\()/)[0]!.trim()))];
}

function referralFrom(entries: Entry[]): string | null {
  const host = valuesOf(entries, REFERRAL)[0]?.replace(/^(?:r?whois:\/\/|https?:\/\/)/i, "").replace(/\/.*$/, "");
  return host && /^[a-z0-9.-]+(:\d+)?$/i.test(host) ? host.toLowerCase() : null;
}

/**
 * Parses one WHOIS answer. `tld` is the public suffix's last label (e.g. "uk" for co.uk); it
 * selects the day/month order when the answer's own dates do not prove it.
 */
export function parseWhois(text: string, tld: string): RegistrationRecord {
  const entries = readEntries(text);
  const dateValues = valuesOf(entries, [...CREATED, ...REGISTRY_EXPIRY, "changed", "last updated", "updated date"]);
  const order = provenOrder(dateValues) ?? (MONTH_FIRST_TLDS.has(tld.toLowerCase()) ? "mdy" : "dmy");
  return {
    registrar: unlessRedacted(registrarFrom(entries)),
    created: firstDate(entries, CREATED, order),
    registryExpiry: firstDate(entries, REGISTRY_EXPIRY, order),
    registrarExpiry: firstDate(entries, REGISTRAR_EXPIRY, order),
    nameservers: nameserversFrom(entries),
    dnssec: dnssecFrom(entries),
    statuses: statusesFrom(entries),
    referral: referralFrom(entries),
  };
}
