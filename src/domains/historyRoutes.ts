// GET /domains/{id}/history (addition): the domain's events, or with ?as_of its state at a
// past moment. Works for the caller's deleted domains too; another user's is a 404.
import { Router } from "express";
import { z } from "zod";
import { actorOf } from "../infrastructure/http/authentication.js";
import { paginationQuery, uuidParam } from "../infrastructure/http/schemas.js";
import { instantInput } from "../shared/instant.js";
import { parseQuery, parseWith } from "../infrastructure/http/validation.js";
import type { DomainHistory } from "./domainHistory.js";

export const historyQuery = z.strictObject({
  ...paginationQuery,
  as_of: instantInput().optional(),
});

export function historyRoutes(history: DomainHistory): Router {
  const router = Router();
  router.get("/domains/:id/history", async (req, res) => {
    const { id } = parseWith(uuidParam("Domain"), req.params);
    const q = parseQuery(historyQuery, req.query);
    const userId = actorOf(res).userId;
    res.json(
      q.as_of
        ? await history.stateAsOf(userId, id, new Date(q.as_of))
        : await history.events(userId, id, q.page, q.per_page),
    );
  });
  return router;
}
