// Reads an RDAP domain object (RFC 9083) into a RegistrationRecord: events for dates, the
// registrar-role entity's vCard "fn", nameservers[].ldhName, secureDNS.delegationSigned, and
// the registrar's own RDAP URL (links rel=related) for thin registries.
import { z } from "zod";
import { normaliseNameservers, unlessRedacted, type RegistrationRecord } from "../record.js";
import { isoInstant } from "../../../shared/instant.js";

const event = z.object({ eventAction: z.string(), eventDate: z.string() });
const link = z.object({ rel: z.string().optional(), href: z.string(), type: z.string().optional() });
const entity = z.looseObject({
  roles: z.array(z.string()).default([]),
  vcardArray: z.unknown().optional(),
  entities: z.array(z.unknown()).default([]),
});
const domainObject = z.looseObject({
  objectClassName: z.literal("domain"),
  events: z.array(z.unknown()).default([]),
  entities: z.array(z.unknown()).default([]),
  nameservers: z.array(z.looseObject({ ldhName: z.string().optional() })).default([]),
  secureDNS: z.looseObject({ delegationSigned: z.boolean().optional() }).optional(),
  status: z.array(z.string()).default([]),
  links: z.array(z.unknown()).default([]),
});

export class RdapParseError extends Error {}

/** Keeps the members that match `schema`; RDAP servers add and mangle members freely. */
function valid<T>(items: unknown[], schema: z.ZodType<T>): T[] {
  return items.flatMap((i) => {
    const r = schema.safeParse(i);
    return r.success ? [r.data] : [];
  });
}

function isoOrNull(date: string | undefined): string | null {
  const ms = date === undefined ? NaN : Date.parse(date);
  return Number.isNaN(ms) ? null : isoInstant(new Date(ms));
}

/** vCard (jCard, RFC 7095) "fn" property: ["fn", {}, "text", "MarkMonitor Inc."]. */
function vcardFn(vcardArray: unknown): string | null {
  const props = Array.isArray(vcardArray) && Array.isArray(vcardArray[1]) ? (vcardArray[1] as unknown[]) : [];
  const fn = props.find((p): p is unknown[] => Array.isArray(p) && p[0] === "fn");
  return typeof fn?.[3] === "string" ? unlessRedacted(fn[3]) : null;
}

/** The registrar-role entity, at the top level or nested one level (some ccTLD servers). */
function registrarName(entities: unknown[]): string | null {
  const top = valid(entities, entity);
  const all = [...top, ...top.flatMap((e) => valid(e.entities, entity))];
  const registrar = all.find((e) => e.roles.includes("registrar"));
  return registrar ? vcardFn(registrar.vcardArray) : null;
}

/** The registrar's RDAP URL for this domain, as a thin registry (Verisign) links it. */
function registrarLink(links: unknown[]): string | null {
  const related = valid(links, link).find(
    (l) => l.rel === "related" && (l.type === undefined || l.type.includes("rdap")) && /\/domain\//i.test(l.href),
  );
  return related?.href ?? null;
}

/** Parses one RDAP domain answer. Throws RdapParseError when it is not a domain object. */
export function parseRdap(json: unknown): RegistrationRecord {
  const parsed = domainObject.safeParse(json);
  if (!parsed.success) throw new RdapParseError("not an RDAP domain object");
  const d = parsed.data;
  const events = valid(d.events, event);
  const dateOf = (action: string) => isoOrNull(events.find((e) => e.eventAction.toLowerCase() === action)?.eventDate);
  return {
    registrar: registrarName(d.entities),
    created: dateOf("registration"),
    registryExpiry: dateOf("expiration"),
    registrarExpiry: dateOf("registrar expiration"),
    nameservers: normaliseNameservers(d.nameservers.flatMap((n) => (n.ldhName ? [n.ldhName] : []))),
    dnssec: d.secureDNS?.delegationSigned ?? null,
    statuses: d.status,
    referral: registrarLink(d.links),
  };
}
