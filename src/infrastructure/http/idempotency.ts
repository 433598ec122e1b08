// Idempotency keys on writes (POST, PUT, DELETE), as payment APIs have them: the first
// outcome of a request with an `Idempotency-Key` is stored for 24 hours per user; a retry with
// the same key and the same request gets that answer again without acting again; the same key
// with another request is a 422.
//
// The answer is recorded after the write, so it can be lost (the database went away between
// the commit and the record). The write model therefore carries the key too: the request's
// ids and event ids are derived from it (commandHandling/idempotentIds.ts), so a retry finds
// the events the first attempt committed and answers from them instead of acting again.
// docs/api.md#idempotency-keys has the contract, docs/decisions.md the reasoning.
import { createHash } from "node:crypto";
import type { Knex } from "knex";
import type { RequestHandler, Response } from "express";
import { UnprocessableError, ValidationError } from "../../shared/errors.js";
import { actorOf } from "./authentication.js";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/** How long an answer is kept (and a key cannot be reused with another request). */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** Visible ASCII, 1 to 255 characters: a UUID or any other unique token of the client's. */
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

const WRITE_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "DELETE"]);

/**
 * Answers that are not outcomes, so not stored: the request did not act (429), its outcome is
 * unknown or it could not run (503), or it failed in a way a retry may not (500, a bug or a
 * fault not recognised). A retry of those acts, once: the ids derived from the key find what
 * an earlier attempt wrote.
 */
const isOutcome = (status: number): boolean => status !== 429 && status < 500;

const LOCALS_KEY = "idempotencyKey";
const LOCALS_NOT_REPLAYABLE = "idempotencyNotReplayable";

export async function ensureIdempotencyTable(knex: Knex): Promise<void> {
  await knex.raw(`create table if not exists idempotency_keys (
    user_id     uuid not null,
    key         text not null,
    -- sha256 of method, path and body: the same key with another request is refused
    fingerprint text not null,
    status      int,
    body        jsonb,
    created_at  timestamptz not null default now(),
    primary key (user_id, key)
  )`);
}

/** The Idempotency-Key of the current request, if it sent one (for RequestContext). */
export const idempotencyKeyOf = (res: Response): string | undefined => res.locals[LOCALS_KEY] as string | undefined;

/**
 * For answers that must be shown once (a new API key's secret): a retry gets a 409 with
 * `message` instead of the stored answer, which is therefore never stored.
 */
export const answerShownOnce = (res: Response, message: string): void => {
  res.locals[LOCALS_NOT_REPLAYABLE] = message;
};

interface KeyRow {
  fingerprint: string;
  status: number | null;
  body: unknown;
}

export function idempotency(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined || !WRITE_METHODS.has(req.method)) return next();
    if (!KEY_FORMAT.test(key)) {
      throw new ValidationError(`Invalid ${IDEMPOTENCY_HEADER}: 1 to 255 visible ASCII characters (a UUID, for example)`);
    }
    const { userId } = actorOf(res);
    const fingerprint = createHash("sha256")
      .update(JSON.stringify([req.method, req.baseUrl + req.path, req.body ?? null]))
      .digest("hex");
    // Keys live 24 hours: the user's older ones go (so the table stays small), then the key is claimed.
    await knex("idempotency_keys")
      .where({ user_id: userId })
      .andWhereRaw("created_at < now() - make_interval(hours => ?)", [IDEMPOTENCY_TTL_HOURS])
      .delete();
    await knex("idempotency_keys").insert({ user_id: userId, key, fingerprint }).onConflict(["user_id", "key"]).ignore();
    const row: KeyRow | undefined = await knex("idempotency_keys").where({ user_id: userId, key }).first("fingerprint", "status", "body");
    if (row && row.fingerprint !== fingerprint) {
      throw new UnprocessableError(`This ${IDEMPOTENCY_HEADER} was already used with a different request`);
    }
    if (row?.status != null) {
      res.setHeader("Idempotent-Replayed", "true");
      res.status(row.status).json(row.body);
      return;
    }
    res.locals[LOCALS_KEY] = key;
    recordOutcome(res, (status, body) =>
      knex("idempotency_keys").where({ user_id: userId, key }).whereNull("status").update({ status, body: JSON.stringify(body) }),
    );
    next();
  };
}

/**
 * Stores the answer before sending it, so a client never sees an outcome that a retry would
 * not get. A failure to store only means the retry works it out from the write model.
 */
function recordOutcome(res: Response, store: (status: number, body: unknown) => Promise<unknown>): void {
  const send = res.json.bind(res);
  res.json = (body: unknown) => {
    if (!isOutcome(res.statusCode)) return send(body);
    const shownOnce = res.locals[LOCALS_NOT_REPLAYABLE] as string | undefined;
    const [status, stored] = shownOnce ? [409, { error: shownOnce }] : [res.statusCode, body];
    store(status, stored)
      .catch(() => undefined)
      .finally(() => send(body));
    return res;
  };
}
