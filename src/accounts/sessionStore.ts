// Dashboard sessions, server-side in PostgreSQL so every app process sees the same ones: a
// sign-out (or sign-out everywhere) is refused on the next request to any process. The cookie
// holds a random token; only its SHA-256 is stored (like API keys: 256 random bits need no
// slow hash). No in-process cache: a person's browser makes few requests, and one indexed
// read per request is cheaper than the notification machinery an API-key-like cache needs.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Knex } from "knex";

export interface SessionTimeouts {
  /** Minutes without a request after which a session ends. */
  readonly idleMinutes: number;
  /** Hours after sign-in after which a session ends, however active. */
  readonly absoluteHours: number;
}

export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly email: string;
  readonly csrfToken: string;
  /** UTC: the sooner of the idle end (as of this request) and the absolute end. */
  readonly expiresAt: Date;
}

interface SessionRow {
  id: string;
  user_id: string;
  email: string;
  csrf_token: string;
  last_seen_at: Date;
  expires_at: Date;
}

const TOKEN_BYTES = 32;
/** Cookie tokens are base64url of TOKEN_BYTES bytes: anything else is not looked up. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");
const newSecret = (): string => randomBytes(TOKEN_BYTES).toString("base64url");

export class SessionStore {
  private readonly idleMs: number;
  /** last_seen_at is written at most this often per session: not a write per request. */
  private readonly touchEveryMs: number;

  constructor(
    private readonly knex: Knex,
    private readonly timeouts: SessionTimeouts,
  ) {
    this.idleMs = timeouts.idleMinutes * 60_000;
    this.touchEveryMs = Math.min(60_000, this.idleMs / 10);
  }

  /**
   * A new session for a signed-in user: the cookie's token (shown once) and the session. The
   * user's ended sessions go first, so the table holds little more than live ones.
   */
  async create(user: { id: string; email: string }, now: Date): Promise<{ token: string; session: Session }> {
    await this.knex("user_sessions")
      .where({ user_id: user.id })
      .andWhere((q) =>
        q
          .whereNotNull("revoked_at")
          .orWhere("expires_at", "<=", now)
          .orWhere("last_seen_at", "<=", new Date(now.getTime() - this.idleMs)),
      )
      .delete();
    const token = newSecret();
    const row = {
      id: randomUUID(),
      user_id: user.id,
      token_hash: hashToken(token),
      csrf_token: newSecret(),
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + this.timeouts.absoluteHours * 3_600_000),
    };
    await this.knex("user_sessions").insert(row);
    return { token, session: this.present({ ...row, email: user.email }) };
  }

  /**
   * The live session of a cookie's token (not revoked, not idle too long, not past its
   * absolute end), marking it used now; null otherwise. One round trip.
   */
  async use(token: string, now: Date): Promise<Session | null> {
    if (!TOKEN_FORMAT.test(token)) return null;
    const idleSince = new Date(now.getTime() - this.idleMs);
    const staleBefore = new Date(now.getTime() - this.touchEveryMs);
    const { rows } = await this.knex.raw<{ rows: SessionRow[] }>(
      `with live as (
         select s.id, s.user_id, u.email, s.csrf_token, s.last_seen_at, s.expires_at
         from user_sessions s join users u on u.id = s.user_id
         where s.token_hash = :hash and s.revoked_at is null and s.expires_at > :now and s.last_seen_at > :idleSince
       ), touched as (
         update user_sessions set last_seen_at = :now from live
         where user_sessions.id = live.id and live.last_seen_at < :staleBefore
       )
       select * from live`,
      { hash: hashToken(token), now, idleSince, staleBefore },
    );
    const row = rows[0];
    return row ? this.present({ ...row, last_seen_at: now }) : null;
  }

  /** Ends one session (sign-out); returns whether it was live. */
  async revoke(sessionId: string, now: Date): Promise<boolean> {
    return (await this.knex("user_sessions").where({ id: sessionId }).whereNull("revoked_at").update({ revoked_at: now })) > 0;
  }

  /** Ends every session of a user (sign-out everywhere, a new password); returns how many. */
  revokeAll(userId: string, now: Date): Promise<number> {
    return this.knex("user_sessions").where({ user_id: userId }).whereNull("revoked_at").update({ revoked_at: now });
  }

  private present(row: Omit<SessionRow, "email"> & { email: string }): Session {
    const idleEnd = row.last_seen_at.getTime() + this.idleMs;
    return {
      id: row.id,
      userId: row.user_id,
      email: row.email,
      csrfToken: row.csrf_token,
      expiresAt: new Date(Math.min(idleEnd, row.expires_at.getTime())),
    };
  }
}
