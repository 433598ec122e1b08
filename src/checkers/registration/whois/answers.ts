// The classification stage: what kind of answer a WHOIS server gave, before any field is
// trusted. Four classes, in this order of precedence:
//   registered  the answer carries registration data (a date, a name server, a registrar, a status)
//   throttled   a notice that the server refused us for asking too much
//   not_found   the registry says there is no such registration
//   error       a registry error notice, or nothing recognisable at all
// A throttle must never read as "not found": monitoring raises "Domain has expired" for a
// registered domain that answers not_found. Disclaimers mention "query rate limits" and "not
// found" even in good answers, so their lines are never evidence of either.
import type { RegistrationRecord } from "../record.js";

export type WhoisAnswerClass =
  | { kind: "registered" }
  | { kind: "throttled" }
  | { kind: "not_found" }
  /** registry_error: the server said it failed; unreadable: no class recognised */
  | { kind: "error"; cause: "registry_error" | "unreadable" };

const THROTTLED = [
  /rate limit/i, /too many (?:requests|queries|connections)/i, /query (?:limit|quota)/i, /limit (?:exceeded|reached)/i,
  /\b(?:per-client|per-ip|client|access|connection|request|daily|hourly) limit\b/i, /exceeded (?:the )?(?:maximum|allowed|query|your)/i,
  /try again (?:later|after|in)/i, /temporarily (?:blocked|denied|unavailable)/i, /access (?:denied|blocked|temporarily)/i,
  /please wait/i, /quota exceeded/i, /(?:you have been|your ip (?:has been|is)) (?:blocked|banned)/i, /slow down/i,
];

// Statuses that say the name is not registered; they are not registration data.
const NOT_REGISTERED_STATUS =
  /^(?:free|available|not registered|unregistered|no object found|not found|no match|no entries found|does not exist|unassigned|not assigned)\b/i;

const NOT_FOUND = [
  /^no match(?:es)?\b/im, /^\s*no match/im, /\bnot found\b/i, /no entries found/i, /no (?:data|records?|results?|information) (?:was |were )?found/i,
  /no object found/i, /^\s*(?:domain )?status:\s*(?:free|available|not registered|unregistered|no object found)\b/im,
  /\bis (?:available|free)\b/i, /not (?:been )?registered/i, /no such domain/i, /\b(?:does not|doesn.t) exist\b/i,
  /nothing found/i, /no information available/i, /domain (?:name )?not known/i, /^no record/im,
  /available for registration/i, /\bunknown domain\b/i, /no matching record/i,
  // es, pt, fr, de, it
  /no (?:se )?(?:ha )?encontr/i, /n[aã]o (?:foi )?encontrad/i, /n[aã]o existe/i, /non trouv[ée]/i, /n'existe pas/i, /aucun (?:r[ée]sultat|objet)/i,
  /nicht gefunden/i, /keine (?:daten|eintr[aä]ge)/i, /nessun (?:risultato|dominio)/i, /non (?:registrato|trovato)/i,
];

const REGISTRY_ERROR = [
  /^\s*(?:%+\s*)?error\b/im, /invalid (?:query|request|input|domain name|command)/i, /malformed/i, /internal (?:server )?error/i,
  /service (?:is )?(?:temporarily )?unavailable/i, /not supported/i, /^\s*(?:%+\s*)?server error/im,
];

// Lines that describe policy rather than this answer: conditional or legal wording.
const DISCLAIMER =
  /\b(?:may|might|could|can|terms|conditions|agree|prohibited|not (?:be )?permitted|authori[sz]ed|by submitting|automated|high[- ]volume|reserves? the right|in order to|subject to|policy|lawful)\b/i;

function evidenceLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== "" && !DISCLAIMER.test(line));
}

/** Whether the parsed record holds anything a registration has. */
export function hasRegistrationData(record: RegistrationRecord): boolean {
  return (
    record.registryExpiry !== null ||
    record.registrarExpiry !== null ||
    record.created !== null ||
    record.nameservers.length > 0 ||
    record.registrar !== null ||
    record.statuses.some((s) => !NOT_REGISTERED_STATUS.test(s))
  );
}

export function classifyWhoisAnswer(text: string, record: RegistrationRecord): WhoisAnswerClass {
  if (hasRegistrationData(record)) return { kind: "registered" };
  const lines = evidenceLines(text);
  const anyLine = (patterns: RegExp[]) => lines.some((line) => patterns.some((re) => re.test(line)));
  if (anyLine(THROTTLED)) return { kind: "throttled" };
  if (anyLine(NOT_FOUND) || record.statuses.some((s) => NOT_REGISTERED_STATUS.test(s))) return { kind: "not_found" };
  if (anyLine(REGISTRY_ERROR)) return { kind: "error", cause: "registry_error" };
  return { kind: "error", cause: "unreadable" };
}
