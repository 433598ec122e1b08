// Which date a WHOIS key names, and how to read its value. Exact keys come first (the table
// the corpus grew); word patterns per language then generalise to registries not seen yet
// ("Fecha de Creacion", "Entry created", "Domain Currently Expires", "Expired", "Scadenza").
// A date may also hide behind a handle ("0-HARB 20110405000000") or inside a status
// ("OK-UNTIL 20260405000000", "Connected (2026/04/30)").
import { parseWhoisDate, type DayMonthOrder } from "./dates.js";
import type { Entry } from "./entries.js";

export type DateField = "created" | "registryExpiry" | "registrarExpiry";

// The earliest entry in the answer wins: the domain's own object comes before contact and
// registrar objects that have "created:" lines of their own.
const EXACT: Record<DateField, string[]> = {
  created: [
    "creation date", "created", "created on", "created date", "registered on", "registration date",
    "registration time", "domain registration date", "domain record activated", "record created",
    "record created on", "domain create date", "create date", "registered", "registered date",
    "domain created", "commencement date", "activation date", "domain name commencement date",
    "registration", "date registered", "created at", "creation", "data de registro", "fecha de registro",
    "registrado", "data de criação", "activation", "domain registered", "first registration date",
  ],
  registryExpiry: [
    "registry expiry date", "expiration date", "expiry date", "expires", "expires on", "expire date",
    "expiration time", "paid till", "renewal date", "valid until", "domain expiration date",
    "record expires on", "domain expires", "expire", "expiry", "expiration", "exp date", "validity",
    "expires at", "date of expiry", "domain record expires", "fecha de vencimiento", "data de expiração",
    "free date", "renewal", "record will expire on",
  ],
  registrarExpiry: ["registrar registration expiration date"],
};

// Keys that are about something else even when they contain a date word.
const NOT_A_DATE_KEY = /\b(?:updated?|modified|modification|changed|last|transfer(?:red)?|status|contact|registrant|admin|tech|billing|nic hdl|handle)\b/;
const PATTERNS: Record<DateField, RegExp> = {
  // en, es, pt, fr, it, de, nl
  created: new RegExp(
    [
      String.raw`\b(?:creat(?:ed|ion|e)|registered|registration date|activated|activation|commencement)\b`,
      String.raw`\b(?:fecha|data|date) de (?:creaci[oó]n|alta|registro|registo|cria[cç][aã]o|cr[eé]ation)\b`,
      String.raw`\b(?:creado|criado|cr[eé]{2}|registrato|data di registrazione|erstellt|registriert|angelegt|registratiedatum)\b`,
    ].join("|"),
    "u",
  ),
  registryExpiry: new RegExp(
    [
      String.raw`\b(?:expir\w*|expires?|paid (?:till|until)|valid (?:until|till|to|date)|renewal date)\b`,
      String.raw`\b(?:fecha|data|date) (?:de |d )?(?:vencimiento|caducidad|expira[cç][aã]o|validade|vencimento|expiraci[oó]n)\b`,
      String.raw`\b(?:vence|expira|scadenza|ablauf|g[uü]ltig bis|verloopdatum)\b`,
    ].join("|"),
    "u",
  ),
  registrarExpiry: /\bregistrar\b.*\bexpir/,
};

function matchesPattern(field: DateField, key: string): boolean {
  if (NOT_A_DATE_KEY.test(key)) return false;
  if (field !== "registrarExpiry" && PATTERNS.registrarExpiry.test(key)) return false;
  if (field === "created" && PATTERNS.registryExpiry.test(key)) return false;
  return PATTERNS[field].test(key);
}

/** Keys any date field uses, for settling the day/month order of the record. */
export const isDateKey = (key: string) => (Object.keys(EXACT) as DateField[]).some((f) => EXACT[f].includes(key) || matchesPattern(f, key));

// "0-HARB 20110405000000": a registry handle before the date.
const HANDLE_THEN_DATE = /^[a-z0-9]+(?:-[a-z0-9]+)+\s+(\d.*)$/i;

/** The date in one value, also behind a handle; null when there is none. */
export function dateIn(value: string, order: DayMonthOrder): string | null {
  const after = HANDLE_THEN_DATE.exec(value)?.[1];
  return parseWhoisDate(value, order) ?? (after ? parseWhoisDate(after, order) : null);
}

function firstDate(entries: Entry[], accepts: (key: string) => boolean, order: DayMonthOrder): string | null {
  for (const e of entries) {
    const iso = accepts(e.key) ? dateIn(e.value, e.order ?? order) : null;
    if (iso) return iso;
  }
  return null;
}

/** The date of `field`: by exact key first, then by the language patterns. */
export function dateOf(entries: Entry[], field: DateField, order: DayMonthOrder): string | null {
  const exact = new Set(EXACT[field]);
  return firstDate(entries, (k) => exact.has(k), order) ?? firstDate(entries, (k) => matchesPattern(field, k), order);
}

// "OK-UNTIL 20260405000000", "active, expires 2026-04-05", "Connected (2026/04/30)"
const STATUS_DATE = /\b(?:until|till|expires?|expiring|to)\b[\s:]*(\d.*?)\)?$|\((\d[^)]*)\)/i;

/** An expiry stated only inside a status value. */
export function expiryInStatus(statuses: string[], order: DayMonthOrder): string | null {
  for (const s of statuses) {
    const m = STATUS_DATE.exec(s);
    const iso = m ? dateIn((m[1] ?? m[2]!).trim(), order) : null;
    if (iso) return iso;
  }
  return null;
}
