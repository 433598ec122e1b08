// HTTP routes of checks: POST /check (spec), GET /domains/{id}/ssl and /whois (spec), and
// their /history (additions).
import { Router } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { rateLimiter } from "../infrastructure/http/rateLimiter.js";
import { requestContext } from "../infrastructure/http/requestContext.js";
import { paginationQuery, uuidParam } from "../infrastructure/http/schemas.js";
import { parseQuery, parseWith } from "../infrastructure/http/validation.js";
import type { ProjectionRunner } from "../infrastructure/projections/projectionRunner.js";
import type { DomainQueries } from "../domains/domainQueries.js";
import type { SslCheckResult } from "../checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../checkers/registration/result.js";
import type { Clock } from "../shared/clock.js";
import { NotFoundError } from "../shared/errors.js";
import type { CheckQueries } from "./checkQueries.js";
import type { CheckRequests } from "./checkRequests.js";
import { decodePosition } from "./checkJobs.js";
import { sslCheckResultSchema } from "../checkers/ssl/result.js";
import { registrationCheckResult } from "../checkers/registration/result.js";

export const checkBody = z.strictObject({ domain_id: z.uuid() });
export const historyQuery = z.strictObject(paginationQuery);
const domainId = uuidParam("Domain");

const sslSummary = (r: SslCheckResult) =>
  r.outcome === "ok"
    ? {
        subject: r.subject,
        issuer: r.issuer,
        valid_to: r.valid_to,
        days_remaining: r.days_remaining,
        grade: r.grade,
        tls_version: r.tls_version,
        chain_valid: r.chain_valid,
        checked_at: r.checked_at,
      }
    : { subject: null, issuer: null, valid_to: null, days_remaining: null, grade: null, tls_version: null, chain_valid: null, checked_at: r.checked_at, error: { reason: r.reason, message: r.message } };

const whoisSummary = (r: RegistrationCheckResult) =>
  r.outcome === "ok"
    ? { registrar: r.registrar, expiry_date: r.expiry_date, days_remaining: r.days_remaining, checked_at: r.checked_at }
    : { registrar: null, expiry_date: null, days_remaining: null, checked_at: r.checked_at, error: { reason: r.reason, message: r.message } };

export function monitoringRoutes(
  checks: CheckRequests,
  /** How long POST /check waits for its checks before answering 503. */
  checkWaitMs: number,
  checkQueries: CheckQueries,
  domains: DomainQueries,
  projections: ProjectionRunner,
  knex: Knex,
  clock: Clock,
): Router {
  const router = Router();

  /** The caller's domain (its id and current target); 404 unless it exists and is theirs. */
  const ownedDomain = async (userId: string, params: unknown) => {
    const { id } = parseWith(domainId, params);
    const domain = await domains.get(userId, id);
    if (!domain) throw new NotFoundError("Domain not found");
    return domain;
  };

  // Queued ahead of scheduled checks and run by a worker (in any process); the request waits.
  const checkQuota = rateLimiter(knex, clock, { name: "check", limit: 10, windowSeconds: 60 });
  router.post("/check", async (req, res) => {
    const body = parseWith(checkBody, req.body);
    await checkQuota(res);
    await ownedDomain(actorOf(res).userId, { id: body.domain_id });
    const { correlationId, userId, apiKeyId, sessionId } = requestContext(res);
    const requestedBy = { userId, ...(apiKeyId ? { apiKeyId } : {}), ...(sessionId ? { sessionId } : {}) };
    const [sslJob, whoisJob] = await checks.request(body.domain_id, ["ssl", "whois"], "manual", correlationId, requestedBy);
    const outputs = await checks.awaitAll([sslJob!, whoisJob!], checkWaitMs);
    const ssl = outputs.get(sslJob!)!;
    const whois = outputs.get(whoisJob!)!;
    if (ssl.outcome === "gone" || whois.outcome === "gone") throw new NotFoundError("Domain not found");
    for (const o of [ssl, whois]) {
      const position = decodePosition(o.position);
      if (position) await projections.waitFor(position);
    }
    res.json({ ssl: sslSummary(sslCheckResultSchema.parse(ssl.result)), whois: whoisSummary(registrationCheckResult.parse(whois.result)) });
  });

  router.get("/domains/:id/ssl", async (req, res) => {
    const domain = await ownedDomain(actorOf(res).userId, req.params);
    const latest = await checkQueries.latestSsl(domain.id, domain);
    if (!latest) throw new NotFoundError("No SSL check has completed for this domain yet");
    res.json(latest);
  });

  router.get("/domains/:id/whois", async (req, res) => {
    const domain = await ownedDomain(actorOf(res).userId, req.params);
    const latest = await checkQueries.latestWhois(domain.id, domain);
    if (!latest) throw new NotFoundError("No WHOIS check has completed for this domain yet");
    res.json(latest);
  });

  for (const kind of ["ssl", "whois"] as const) {
    router.get(`/domains/:id/${kind}/history`, async (req, res) => {
      const { id } = await ownedDomain(actorOf(res).userId, req.params);
      const q = parseQuery(historyQuery, req.query);
      res.json(await checkQueries.history(id, kind, q.page, q.per_page));
    });
  }

  return router;
}
