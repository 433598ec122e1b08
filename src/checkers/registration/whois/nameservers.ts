// Name servers in a WHOIS answer. Keys vary most ("nserver", "Name Server (DB)", "ns_name_01",
// "Servidor(es) de Nombres de Dominio", "Host Name" under a "Primary Name Server" heading), so
// they are matched by pattern; values may hold several hosts, an address after the host, or a
// zone record ("quillbrook.pt NS ns1.example."). Failing any known key, a heading of its own
// whose lines are all host names is read as the list.
import { normaliseNameservers } from "../record.js";
import type { Entry } from "./entries.js";

const NS_KEY = new RegExp(
  [
    String.raw`\b(?:name ?servers?|nservers?|dns(?: servers?)?|ns(?: name)?|(?:domain|dns) servers|server hostname|(?:primary|secondary) server)\b`,
    // es, pt, fr, de, it
    String.raw`\bservidor(?:es)?(?: de)? (?:dns|nombres?|nomes?)\b|\bserveurs? (?:de noms|dns)\b|\bnamens ?server\b|\bserver dns\b`,
  ].join("|"),
);
const NS_NOT = /\b(?:ip|ips|address|addresses|handle|status|ipv4|ipv6|v4|v6|ttl)\b/;
const NS_IN_SECTION = /^(?:name|host ?name|host|(?:\w+ )?server)$/;
const HOST = /^(?=.*[a-z])[a-z0-9_-]+(?:\.[a-z0-9_-]+)+\.?$/i;
const PLACEHOLDER_HOSTS = new Set(["not.defined"]);
// A heading whose host-name lines are something else: the domain, its registrar, web or mail.
const NOT_NS_HEADING = /\b(?:domain(?! servers)|registrar|url|web|website|homepage|whois|e ?mail|contact|referral)\b/;
// "quillbrook.pt  NS  ns1.example." / "quillbrook.pt. 3600 IN NS ns1.example."
const ZONE_NS_RECORD = /^\S+\s+(?:\d+\s+)?(?:IN\s+)?NS\s+(\S+)/i;

function isNameserverEntry(e: Entry): boolean {
  if (NS_KEY.test(e.key) && !NS_NOT.test(e.key)) return true;
  return NS_IN_SECTION.test(e.key) && NS_KEY.test(e.section) && !NS_NOT.test(e.section);
}

/** The host names in one value: several per line, addresses and punctuation dropped. */
function hostsIn(value: string): string[] {
  const record = ZONE_NS_RECORD.exec(value);
  if (record) return [record[1]!];
  return value
    .split(/[\s,;]+/)
    .map((t) => t.replace(/^[([<"']+|[)\]>"',]+$/g, ""))
    .filter((h) => HOST.test(h));
}

/** Entries under a heading no rule knows whose lines are all host names (two or more). */
function unknownHeadingList(entries: Entry[]): Entry[] {
  const byHeading = new Map<string, Entry[]>();
  for (const e of entries) {
    if (e.section === "" || e.section !== e.key || NOT_NS_HEADING.test(e.key)) continue;
    byHeading.set(e.key, [...(byHeading.get(e.key) ?? []), e]);
  }
  for (const list of byHeading.values()) {
    if (list.length >= 2 && list.every((e) => HOST.test(e.value.split(/\s+/)[0] ?? ""))) return list;
  }
  return [];
}

/**
 * Lower-cased host names in answer order. The domain itself is dropped: DK Hostmaster's
 * "DNS:" line repeats the domain name.
 */
export function nameserversFrom(entries: Entry[], domain: string | undefined): string[] {
  const read = (list: Entry[]) =>
    normaliseNameservers(list.flatMap((e) => hostsIn(e.value)))
      .filter((h) => h !== domain && !PLACEHOLDER_HOSTS.has(h));
  const known = read(entries.filter(isNameserverEntry));
  return known.length > 0 ? known : read(unknownHeadingList(entries));
}
