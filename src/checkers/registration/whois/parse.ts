// Reads registrar, dates, name servers, DNSSEC and statuses out of a WHOIS answer. One
// table of key names covers the ~200 registries of the test corpus; the few that need more
// (handles resolved elsewhere in the answer, signed-delegation markers) are in fieldRules.ts.
import { unlessRedacted, type RegistrationRecord } from "../record.js";
import { dateOf, expiryInStatus, isDateKey } from "./dateKeys.js";
import { provenOrder } from "./dates.js";
import { readEntries, type Entry } from "./entries.js";
import { dnssecFrom, registrarFrom, MONTH_FIRST_TLDS } from "./fieldRules.js";
import { nameserversFrom } from "./nameservers.js";

const STATUS = ["domain status", "status", "state", "domain state", "registration status"];
const REFERRAL = ["registrar whois server", "whois server", "referralserver"];

function valuesOf(entries: Entry[], keys: string[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    for (const e of entries) if (e.key === key && e.value !== "") out.push(e.value);
  }
  return out;
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
  const dateValues = entries.filter((e) => isDateKey(e.key) || ["changed", "last updated", "updated date"].includes(e.key)).map((e) => e.value);
  const order = provenOrder(dateValues) ?? (MONTH_FIRST_TLDS.has(tld.toLowerCase()) ? "mdy" : "dmy");
  const domain = valuesOf(entries, ["domain name", "domain"])[0]?.toLowerCase();
  return {
    registrar: unlessRedacted(registrarFrom(entries)),
    created: dateOf(entries, "created", order),
    registryExpiry: dateOf(entries, "registryExpiry", order) ?? expiryInStatus(valuesOf(entries, STATUS), order),
    registrarExpiry: dateOf(entries, "registrarExpiry", order),
    nameservers: nameserversFrom(entries, domain),
    dnssec: dnssecFrom(entries),
    statuses: statusesFrom(entries),
    referral: referralFrom(entries),
  };
}
