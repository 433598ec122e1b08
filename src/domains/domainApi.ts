// /domains in the OpenAPI document: the routes' request schemas, and the answers of
// DomainQueries (which is typed from these schemas, so the two cannot drift apart).
import { z } from "zod";
import { gradeSchema } from "../checkers/ssl/result.js";
import { entityId, instant, messageBody } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { paginated, uuidParam } from "../infrastructure/http/schemas.js";
import { domainStatuses } from "../monitoring/domainStatus.js";
import { createDomainBody, listDomainsQuery, updateDomainBody } from "./domainRoutes.js";

const daysRemaining = () => z.number().int().nullable();

export const domainListItem = named(
  "DomainListItem",
  z.object({
    id: entityId(),
    hostname: z.string(),
    port: z.number().int(),
    is_active: z.boolean(),
    ssl_grade: gradeSchema.nullable(),
    ssl_days_remaining: described(daysRemaining(), "Whole days until the certificate expires, as of the request; null before the first successful check."),
    whois_days_remaining: described(daysRemaining(), "Whole days until the registration expires, as of the request; null when unknown."),
    renewal_due_at: described(
      instant().nullable(),
      "When the served certificate is due for renewal: the start of its CA's renewal window (ACME ARI, RFC 9773), or without one the point two thirds into its lifetime (docs/alerts.md); null before the first successful SSL check.",
    ),
    expires_at: described(
      instant().nullable(),
      "The soonest expiry of the certificate chain (any of its certificates) and of the registration, the instant the status and `sort=expires_at` use; null before the first successful check. Addition.",
    ),
    tags: z.array(z.string()),
    muted_until: described(instant().nullable(), "Notifications of the domain's alerts are held back until this instant (alerts are still raised and listed). Addition (issue #15)."),
    created_at: instant(),
    status: described(z.enum([...domainStatuses, "pending"]), "Computed when read (docs/api.md); pending until the first check."),
  }),
);

export const domain = named(
  "Domain",
  domainListItem.extend({
    notes: z.string().nullable(),
    updated_at: instant(),
  }),
);

export const domainList = named("DomainList", paginated(domainListItem));

export type DomainListItem = z.output<typeof domainListItem>;
export type DomainDetail = z.output<typeof domain>;

const tags = ["Domains"];
const byId = { params: uuidParam("Domain") };

export const domainOperations: readonly ApiOperation[] = [
  {
    id: "listDomains",
    method: "get",
    path: "/domains",
    summary: "List domains",
    description: "The caller's monitored domains, filtered and sorted. `status` is an addition on every item.",
    tags,
    auth: "bearer",
    origin: "spec",
    request: { query: listDomainsQuery },
    responses: { 200: { description: "One page of domains.", schema: domainList } },
  },
  {
    id: "createDomain",
    method: "post",
    path: "/domains",
    summary: "Create a domain",
    description: "Adds a domain to the caller's monitoring list and starts its first SSL and registration checks.",
    tags,
    auth: "bearer",
    origin: "spec",
    request: { body: createDomainBody },
    responses: { 201: { description: "The domain, as stored.", schema: domain } },
    errors: [409, 503],
  },
  {
    id: "getDomain",
    method: "get",
    path: "/domains/{id}",
    summary: "Get a domain",
    tags,
    auth: "bearer",
    origin: "spec",
    request: byId,
    responses: { 200: { description: "The domain.", schema: domain } },
    errors: [404],
  },
  {
    id: "updateDomain",
    method: "put",
    path: "/domains/{id}",
    summary: "Update a domain",
    description: "Changes only the fields sent; `notes: null` clears the notes. Moving to a hostname and port already monitored is a 409.",
    tags,
    auth: "bearer",
    origin: "spec",
    request: { ...byId, body: updateDomainBody },
    responses: { 200: { description: "The domain after the change.", schema: domain } },
    errors: [404, 409, 503],
  },
  {
    id: "deleteDomain",
    method: "delete",
    path: "/domains/{id}",
    summary: "Delete a domain",
    tags,
    auth: "bearer",
    origin: "spec",
    request: byId,
    responses: { 200: { description: "`Domain deleted`.", schema: messageBody } },
    errors: [404, 503],
  },
];
