// Field rules that a plain key table cannot express: registrar names spread over sections or
// given as contact handles, and the many ways registries say whether a delegation is signed.
import type { Entry } from "./entries.js";

/** Registries that write NN/NN/YYYY month first (.tk proves it with "12/18/2001"). */
export const MONTH_FIRST_TLDS = new Set(["tk", "ml", "ga", "cf", "gq"]);

const REGISTRAR_KEYS = [
  "registrar", "registrar name", "sponsoring registrar", "registrar organization", "registrar organisation",
  "registration service provider", "sponsoring registrar organization", "authorized agency", "current registar",
  "registrar handle", "provider", "sponsor", "registration service provided by", "domain registrar",
];
// Inside a "Registrar:" section (DNS Belgium, EURid, Nominet...), these keys carry the name.
const SECTION_NAME_KEYS = new Set(["organization", "organisation", "name", "registrar name", "company name"]);

function sectionName(entries: Entry[]): string | undefined {
  const inSection = entries.filter((e) => e.section === "registrar" && e.value !== "");
  for (const key of SECTION_NAME_KEYS) {
    const hit = inSection.find((e) => e.key === key);
    if (hit) return hit.value;
  }
  return inSection.find((e) => e.key === "registrar")?.value;
}

const HANDLE = /^[a-z0-9]+(?:[-_][a-z0-9]+)+$/i;
const NAME_KEYS = ["name", "organization", "organisation", "org"];

/**
 * SK-NIC and similar registries name the registrar by handle ("ACTI-0024") and describe it in
 * a later object that starts with that handle; the object's name is what people recognise.
 */
function resolveHandle(entries: Entry[], handle: string): string {
  const head = entries.findIndex((e, i) => e.value === handle && i > 0 && entries[i - 1]!.block !== e.block);
  if (head < 0) return handle;
  const block = entries[head]!.block;
  const name = entries.slice(head + 1).find((e) => e.block === block && NAME_KEYS.includes(e.key) && e.value !== "");
  return name?.value ?? handle;
}

export function registrarFrom(entries: Entry[]): string | null {
  const fromSection = sectionName(entries);
  if (fromSection) return fromSection;
  for (const key of REGISTRAR_KEYS) {
    const hit = entries.find((e) => e.key === key && e.value !== "");
    if (hit) return HANDLE.test(hit.value) ? resolveHandle(entries, hit.value) : hit.value;
  }
  return null;
}

// Compared on the value's letters only ("unsignedDelegation", "Signed delegation", "signed (DS)").
const UNSIGNED_PREFIXES = ["unsigned", "inactive", "notsigned", "no", "false", "none", "미서명"];
const SIGNED_PREFIXES = ["signed", "yes", "true", "active", "delegationsigned"];
const DNSSEC_KEYS = ["dnssec", "dnssec status", "signed", "domain signed", "dnssec signed", "ds record", "secure dns"];
// Members that only exist for a signed delegation (AFNIC ds-list, DS record dumps).
const DS_PRESENCE_KEYS = new Set(["dsl id", "ds list", "key1 tag", "ds rdata", "ds key tag", "dnskey", "ds records", "ds"]);

function readSigned(value: string): boolean | undefined {
  const v = value.toLowerCase().replace(/[^\p{L}]/gu, "");
  if (UNSIGNED_PREFIXES.some((p) => v.startsWith(p)) || v === "n") return false;
  if (SIGNED_PREFIXES.some((p) => v.startsWith(p)) || v === "y") return true;
  return undefined;
}

export function dnssecFrom(entries: Entry[]): boolean | null {
  for (const key of DNSSEC_KEYS) {
    for (const e of entries.filter((x) => x.key === key)) {
      const signed = readSigned(e.value);
      if (signed !== undefined) return signed;
    }
  }
  if (entries.some((e) => DS_PRESENCE_KEYS.has(e.key) && e.value !== "")) return true;
  // JPRS prints an empty "[Signing Key]" for an unsigned delegation.
  const signingKey = entries.find((e) => e.key === "signing key");
  if (signingKey) return signingKey.value !== "";
  return null;
}
