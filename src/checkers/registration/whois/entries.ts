// Turns a WHOIS answer into (section, key, value) entries. Registries use three layouts:
//   "Key: value"                      (ICANN gTLD format, RIPE-like ccTLDs)
//   "[Key]   value"                   (JPRS, some Asian registries)
//   "Key:" + indented lines below it  (Nominet, DNS Belgium, EURid...): the lines are values of
//                                     the key, or "key: value" entries inside that section.
// and a few splitting rules around them: keys and values apart by spaces only ("Valid-date
// 2026-04-05"), bracketed keys after a list letter whose value is on the next line, bilingual
// keys ("Data de registo / Creation Date (dd/mm/yyyy)") and "** Heading:" lines.
import type { DayMonthOrder } from "./dates.js";

export interface Entry {
  /** normalised key: lower case, words separated by single spaces ("registry expiry date") */
  key: string;
  value: string;
  /** normalised key of the enclosing header ("registrar" for .be "Registrar:\n  Name: x") */
  section: string;
  /** index of the blank-line separated paragraph, to prefer the domain's own block */
  block: number;
  /** the key's own format hint: "Creation Date (dd/mm/yyyy)" */
  order?: DayMonthOrder;
}

export function normaliseKey(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const COMMENT = /^\s*(?:%|#|;|>>>|--|\*)/;
// "** Domain Servers:": a heading despite the comment-like stars.
const STARRED_HEADING = /^\s*\*{1,3}\s*(\p{L}[^:*]{0,60}):\s*$/u;
// JPRS: "[Name Server]   ns1.example.jp", also after a list letter: "p. [Name Server]", "k [Name Server]".
const BRACKETED = /^\s*(?:([a-z])\.?\s*)?\[([^\]]{1,60})\]\s*(.*)$/;
// Keys are short and start with a letter; dot leaders ("Expires........:" or ":.....x") are dropped.
const KEY_VALUE = /^\s*(\p{L}[^:]{0,60}?)[\s.]*:(?!\/\/)[\s.]*(.*)$/u;
// SWITCH (.ch/.li): "Registrar<TAB>MarkMonitor".
const TAB_SEPARATED = /^(\p{L}[\p{L} ]{0,40})\t+(.+)$/u;
// "Valid-date          2026-04-05": a short key (no dots, so never a host name) and its
// value apart by two or more spaces.
const SPACE_SEPARATED = /^\s*(\p{L}[\p{L}\p{N}_-]*(?: [\p{L}\p{N}_-]+){0,4}) {2,}(\S.*)$/u;
// Dates in prose: "Record expires on 2020-11-02", "Registered on 30th April 2003 at 00:00:00", "activated on 2011-04-05".
const PROSE_DATE = /^\s*((?:record |entry )?(?:created|registered|activated|expires|expired|expiry date|renewal date)(?: on)?)\s+(\d.*)$/i;
// A format hint inside a key: "Creation Date (dd/mm/yyyy)", "Expiry (YYYY-MM-DD)".
const FORMAT_HINT = /\(\s*(dd|mm|yyyy)[^)]*\)/i;
// List bullets before a value: "   - ns1.example.net", "* ns2.example.net", "• ...".
const BULLET = /^(?:[-*•+]|\d{1,2}[.)])\s+/;
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

interface SplitLine {
  /** one key, or two for a bilingual "Data de registo / Creation Date" */
  keys: string[];
  value: string;
  order?: DayMonthOrder;
  /** "k [Primary Name Server]  NSHARB0": a list item whose value may follow on the next line */
  listItem: boolean;
}

function orderHint(rawKey: string): DayMonthOrder | undefined {
  const hint = FORMAT_HINT.exec(rawKey)?.[0].toLowerCase();
  if (!hint) return undefined;
  return hint.indexOf("dd") < hint.indexOf("mm") ? "dmy" : "mdy";
}

/** Splits one line into key and value, or undefined when it is free text. */
function splitLine(line: string): SplitLine | undefined {
  const bracketed = BRACKETED.exec(line);
  const [rawKey, rawValue, listItem] = bracketed
    ? [bracketed[2]!, bracketed[3]!, bracketed[1] !== undefined]
    : ((m) => (m ? [m[1]!, m[2]!, false] : [undefined, undefined, false]))(
        PROSE_DATE.exec(line) ?? KEY_VALUE.exec(line) ?? TAB_SEPARATED.exec(line) ?? SPACE_SEPARATED.exec(line),
      );
  // "at 12:00:00" is a time, not "key: value"
  if (rawKey === undefined || rawValue === undefined || (/\d$/.test(rawKey) && /^\d/.test(rawValue))) return undefined;
  const order = orderHint(rawKey);
  const bare = rawKey.replace(FORMAT_HINT, " ");
  const parts = bare.includes(" / ") ? [bare, ...bare.split(" / ")] : [bare];
  const keys = parts.map(normaliseKey).filter((k) => k !== "" && k.split(" ").length <= 8);
  if (keys.length === 0) return undefined;
  return { keys, value: rawValue.trim(), listItem, ...(order ? { order } : {}) };
}

function isTitle(line: string): boolean {
  return TITLE.test(line) && line.trim().split(/\s+/).length <= 6;
}

/** Reads the answer line by line; see the layouts at the top of this file. */
export function readEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  let block = 0;
  let header: Header | undefined;
  let last: { key: string; indent: number; section: string; listItem?: { from: number; continued: boolean } } | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === "") {
      block++;
      if (header && header.values > 0) header = undefined;
      last = undefined;
      continue;
    }
    const starred = STARRED_HEADING.exec(line);
    if (COMMENT.test(line) && !starred) continue;
    const indent = indentOf(line);
    const kv = starred ? { keys: [normaliseKey(starred[1]!)], value: "", listItem: false } : splitLine(line);
    if (kv) {
      if (header && indent < header.indent) header = undefined;
      const section = header?.key ?? "";
      const from = entries.length;
      for (const key of kv.keys) entries.push({ key, value: kv.value, section, block, ...(kv.order ? { order: kv.order } : {}) });
      const key = kv.keys[kv.keys.length - 1]!;
      if (header) header.values++;
      // a list item's value comes beside it or on the lines below, never as a section
      if (kv.value === "" && !kv.listItem) header = { key, indent, values: 0 };
      last = kv.value === "" && !kv.listItem ? undefined : { key, indent, section, ...(kv.listItem ? { listItem: { from, continued: false } } : {}) };
    } else if (last && indent > last.indent) {
      // continuation of a value: .pl name servers, multi-line addresses. After a list-letter
      // key ("k [Primary Name Server]  NSHARB0.SER"), the lines below are the value and the
      // text beside the key was a label.
      if (last.listItem && !last.listItem.continued) {
        entries.splice(last.listItem.from);
        last.listItem.continued = true;
      }
      entries.push({ key: last.key, value: line.trim().replace(BULLET, ""), section: last.section, block });
    } else if (header && (header.values === 0 || !(isTitle(line) && indent <= header.indent))) {
      entries.push({ key: header.key, value: line.trim().replace(BULLET, ""), section: header.key, block });
      header.values++;
    } else if (isTitle(line)) {
      header = { key: normaliseKey(line), indent, values: 0 };
    }
  }
  return entries;
}
