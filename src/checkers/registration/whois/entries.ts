// Turns a WHOIS answer into (section, key, value) entries. Registries use three layouts:
//   "Key: value"                      (ICANN gTLD format, RIPE-like ccTLDs)
//   "[Key]   value"                   (JPRS, some Asian registries)
//   "Key:" + indented lines below it  (Nominet, DNS Belgium, EURid...): the lines are values of
//                                     the key, or "key: value" entries inside that section.

export interface Entry {
  /** normalised key: lower case, words separated by single spaces ("registry expiry date") */
  key: string;
  value: string;
  /** normalised key of the enclosing header ("registrar" for .be "Registrar:\n  Name: x") */
  section: string;
  /** index of the blank-line separated paragraph, to prefer the domain's own block */
  block: number;
}

export function normaliseKey(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const COMMENT = /^\s*(?:%|#|;|>>>|--|\*)/;
// JPRS: "[Name Server]   ns1.example.jp", also with a list letter: "p. [Name Server]".
const BRACKETED = /^\s*(?:[a-z]\.\s*)?\[([^\]]{1,60})\]\s*(.*)$/;
// Keys are short and start with a letter; dot leaders ("Expires........:" or ":.....x") are dropped.
const KEY_VALUE = /^\s*(\p{L}[^:]{0,60}?)[\s.]*:(?!\/\/)[\s.]*(.*)$/u;
// SWITCH (.ch/.li): "Registrar<TAB>MarkMonitor".
const TAB_SEPARATED = /^(\p{L}[\p{L} ]{0,40})\t+(.+)$/u;
// Dates in prose: "Record expires on 2020-11-02", "Registered on 30th April 2003 at 00:00:00".
const PROSE_DATE = /^\s*((?:record )?(?:created|registered|expires|expiry date|renewal date)(?: on)?)\s+(\d.*)$/i;
// A heading line without a colon: "Registrar", "Name servers", "DNS servers", "Primary Name Server".
const TITLE = /^\s*\p{L}[\p{L}\p{N} ()'/&-]{0,48}$/u;

interface Header {
  key: string;
  indent: number;
  values: number;
}

function indentOf(line: string): number {
  return /^\s*/.exec(line.replace(/\t/g, "    "))![0].length;
}

/** Splits one line into key and value, or undefined when it is free text. */
function splitLine(line: string): { key: string; value: string } | undefined {
  const m = BRACKETED.exec(line) ?? PROSE_DATE.exec(line) ?? KEY_VALUE.exec(line) ?? TAB_SEPARATED.exec(line);
  // "at 12:00:00" is a time, not "key: value"
  if (!m || (/\d$/.test(m[1]!) && /^\d/.test(m[2]!))) return undefined;
  const key = normaliseKey(m[1]!);
  return key === "" || key.split(" ").length > 8 ? undefined : { key, value: m[2]!.trim() };
}

function isTitle(line: string): boolean {
  return TITLE.test(line) && line.trim().split(/\s+/).length <= 6;
}

/** Reads the answer line by line; see the layouts at the top of this file. */
export function readEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  let block = 0;
  let header: Header | undefined;
  let last: { key: string; indent: number; section: string } | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === "") {
      block++;
      if (header && header.values > 0) header = undefined;
      last = undefined;
      continue;
    }
    if (COMMENT.test(line)) continue;
    const indent = indentOf(line);
    const kv = splitLine(line);
    if (kv) {
      if (header && indent < header.indent) header = undefined;
      const section = header?.key ?? "";
      entries.push({ ...kv, section, block });
      if (header) header.values++;
      if (kv.value === "") header = { key: kv.key, indent, values: 0 };
      last = kv.value === "" ? undefined : { key: kv.key, indent, section };
    } else if (last && indent > last.indent) {
      // continuation of a value: .pl name servers, multi-line addresses
      entries.push({ key: last.key, value: line.trim(), section: last.section, block });
    } else if (header && (header.values === 0 || !(isTitle(line) && indent <= header.indent))) {
      entries.push({ key: header.key, value: line.trim(), section: header.key, block });
      header.values++;
    } else if (isTitle(line)) {
      header = { key: normaliseKey(line), indent, values: 0 };
    }
  }
  return entries;
}
