// One check may read up to four answers: the registry's and the registrar's, over RDAP and,
// when RDAP has no expiry at all, over WHOIS. This folds them into one record and says which
// answer gave each field. Pure: the lookups decide what to ask, this only merges.
import type { AnswerOrigin, FieldSources } from "./result.js";
import type { RegistrationRecord } from "./record.js";

export interface ParsedAnswer {
  origin: AnswerOrigin;
  record: RegistrationRecord;
}

const isRegistrar = (a: ParsedAnswer) => a.origin.endsWith("_registrar");

function firstWith<T>(answers: ParsedAnswer[], pick: (r: RegistrationRecord) => T | null): { value: T; origin: AnswerOrigin } | undefined {
  for (const a of answers) {
    const value = pick(a.record);
    if (value !== null) return { value, origin: a.origin };
  }
  return undefined;
}

const nonEmpty = <T>(list: T[]): T[] | null => (list.length > 0 ? list : null);

/**
 * Merges answers given in priority order (registry before registrar, RDAP before WHOIS):
 * each field comes from the first answer that has it, except the two expiry dates, which
 * keep their meaning. `registryExpiry` only ever comes from a registry's answer (a registrar's
 * date is never passed off as the registry's); `registrarExpiry` is the registrar's own
 * answer's expiry, or else a registry answer's "registrar expiration" (RDAP event, WHOIS
 * "Registrar Registration Expiration Date").
 */
export function combineAnswers(answers: ParsedAnswer[]): { record: RegistrationRecord; sources: FieldSources } {
  const registrars = answers.filter(isRegistrar);
  const registries = answers.filter((a) => !isRegistrar(a));
  const registrar = firstWith(answers, (r) => r.registrar);
  const created = firstWith(answers, (r) => r.created);
  const registryExpiry = firstWith(registries, (r) => r.registryExpiry);
  const registrarExpiry = firstWith(registrars, (r) => r.registrarExpiry ?? r.registryExpiry) ?? firstWith(registries, (r) => r.registrarExpiry);
  const nameservers = firstWith(answers, (r) => nonEmpty(r.nameservers));
  const dnssec = firstWith(answers, (r) => r.dnssec);
  const statuses = firstWith(answers, (r) => nonEmpty(r.statuses));
  const record: RegistrationRecord = {
    registrar: registrar?.value ?? null,
    created: created?.value ?? null,
    registryExpiry: registryExpiry?.value ?? null,
    registrarExpiry: registrarExpiry?.value ?? null,
    nameservers: nameservers?.value ?? [],
    dnssec: dnssec?.value ?? null,
    statuses: statuses?.value ?? [],
    referral: answers[0]?.record.referral ?? null,
  };
  const later = [registryExpiry, registrarExpiry]
    .filter((d) => d !== undefined)
    .sort((a, b) => Date.parse(b.value) - Date.parse(a.value))[0];
  const sources: FieldSources = {
    registrar: registrar?.origin ?? null,
    created_date: created?.origin ?? null,
    expiry_date: later?.origin ?? null,
    registry_expiry_date: registryExpiry?.origin ?? null,
    registrar_expiry_date: registrarExpiry?.origin ?? null,
    nameservers: nameservers?.origin ?? null,
    dnssec: dnssec?.origin ?? null,
  };
  return { record, sources };
}
