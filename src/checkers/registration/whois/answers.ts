// What kind of WHOIS answer this is. A throttle answer must never read as "domain not found":
// a monitoring service would then alert on a domain that is fine. Both are only recognised
// when the answer carries no registration data, because disclaimers mention "not found" and
// "query rate limits" in answers that are perfectly good.
import type { RegistrationRecord } from "../record.js";

export type WhoisAnswerKind = "registered" | "not_found" | "rate_limited" | "empty";

const THROTTLED = [
  /rate limit/i, /too many (?:requests|queries|connections)/i, /query (?:limit|quota)/i, /limit exceeded/i,
  /exceeded (?:the )?(?:maximum|allowed|query|your)/i, /try again (?:later|after|in)/i, /temporarily (?:blocked|denied|unavailable)/i,
  /access (?:denied|blocked|temporarily)/i, /please wait/i, /quota exceeded/i, /(?:you have been|your ip (?:has been|is)) (?:blocked|banned)/i,
];

const NOT_FOUND = [
  /^no match(?:es)?\b/im, /^%*\s*no match/im, /\bnot found\b/i, /no entries found/i, /no data found/i, /no object found/i,
  /^status:\s*(?:free|available)\b/im, /\bis (?:available|free)\b/i, /not (?:been )?registered/i, /no such domain/i,
  /object does not exist/i, /nothing found/i, /no information available/i, /domain (?:name )?not known/i,
  /^invalid query|^no record/im, /the queried object does not exist/i,
];

function hasData(record: RegistrationRecord): boolean {
  return (
    record.registryExpiry !== null ||
    record.registrarExpiry !== null ||
    record.created !== null ||
    record.nameservers.length > 0 ||
    record.registrar !== null ||
    record.statuses.some((s) => !/^(?:free|available)$/i.test(s))
  );
}

export function classifyWhoisAnswer(text: string, record: RegistrationRecord): WhoisAnswerKind {
  if (hasData(record)) return "registered";
  if (THROTTLED.some((re) => re.test(text))) return "rate_limited";
  if (NOT_FOUND.some((re) => re.test(text))) return "not_found";
  return "empty";
}
