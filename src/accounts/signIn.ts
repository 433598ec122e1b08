// Signing a person in with e-mail and password, and setting passwords (CLI). Guarded by
// per-IP and per-address rate limits and a lockout after consecutive failures (OWASP
// Authentication Cheat Sheet, "Protect against automated attacks"); an unknown address costs
// the same hash work and gets the same answer as a wrong password, and locks the same way, so
// neither timing, message nor lockout tells who has an account.
import type { Knex } from "knex";
import { takeToken, type RateLimit } from "../infrastructure/http/rateLimiter.js";
import { NotFoundError, RateLimitedError, UnauthorizedError } from "../shared/errors.js";
import { rateLimitedClient } from "./clientAddress.js";
import { normaliseEmail } from "./events.js";
import { hashPassword, verifyNothing, verifyPassword } from "./password.js";
import type { Session, SessionStore } from "./sessionStore.js";

export interface SignInLimits {
  /** Attempts per minute from one IP address (an IPv6 /64 counts as one). */
  readonly perIp: number;
  /** Attempts per minute for one e-mail address. */
  readonly perAccount: number;
  /** Consecutive failures of one address that lock it... */
  readonly lockoutFailures: number;
  /** ... for this many minutes. */
  readonly lockoutMinutes: number;
}

/** The one answer to every wrong e-mail/password combination. */
export const SIGN_IN_FAILED = "Invalid e-mail or password";

interface Credentials {
  id: string;
  email: string;
  password_hash: string | null;
}

export class SignIn {
  private readonly ipRule: RateLimit;
  private readonly accountRule: RateLimit;

  constructor(
    private readonly knex: Knex,
    private readonly sessions: SessionStore,
    private readonly limits: SignInLimits,
  ) {
    this.ipRule = { name: "sign-in-ip", limit: limits.perIp, windowSeconds: 60 };
    this.accountRule = { name: "sign-in-account", limit: limits.perAccount, windowSeconds: 60 };
  }

  /**
   * A new session for the address and password, with the cookie's token. Throws
   * RateLimitedError (429) past a rate limit or while the address is locked, whatever the
   * password; UnauthorizedError (401, SIGN_IN_FAILED) for an unknown address, a user without a
   * password, or a wrong password.
   */
  async signIn(rawEmail: string, password: string, ip: string, now: Date): Promise<{ token: string; session: Session }> {
    const email = normaliseEmail(rawEmail);
    await this.take(`${this.ipRule.name}:${rateLimitedClient(ip)}`, this.ipRule, now);
    await this.take(`${this.accountRule.name}:${email}`, this.accountRule, now);
    await this.refuseWhileLocked(email, now);
    const user = await this.credentials(email);
    const valid = user?.password_hash ? await verifyPassword(user.password_hash, password) : await verifyNothing(password);
    if (!user || !valid) {
      await this.recordFailure(email, now);
      throw new UnauthorizedError(SIGN_IN_FAILED);
    }
    await this.knex("sign_in_failures").where({ email }).delete();
    return this.sessions.create(user, now);
  }

  /** Whether a user has this e-mail address (compared as normaliseEmail does). */
  async isRegistered(rawEmail: string): Promise<boolean> {
    return (await this.credentials(normaliseEmail(rawEmail))) !== undefined;
  }

  /** Sets (or replaces) a user's password and signs them out everywhere. NotFoundError for an unknown address. */
  async setPassword(rawEmail: string, password: string, now: Date): Promise<{ userId: string; sessionsEnded: number }> {
    const user = await this.credentials(normaliseEmail(rawEmail));
    if (!user) throw new NotFoundError("No user with this e-mail address");
    const password_hash = await hashPassword(password);
    await this.knex("user_credentials")
      .insert({ user_id: user.id, password_hash, updated_at: now })
      .onConflict("user_id")
      .merge(["password_hash", "updated_at"]);
    const sessionsEnded = await this.sessions.revokeAll(user.id, now);
    await this.knex("sign_in_failures").where({ email: user.email }).delete();
    return { userId: user.id, sessionsEnded };
  }

  private async take(bucket: string, rule: RateLimit, now: Date): Promise<void> {
    const decision = await takeToken(this.knex, bucket, rule, now);
    if (!decision.allowed) throw new RateLimitedError(decision.resetSeconds);
  }

  private async refuseWhileLocked(email: string, now: Date): Promise<void> {
    const row: { locked_until: Date | null } | undefined = await this.knex("sign_in_failures").where({ email }).first("locked_until");
    if (row?.locked_until && row.locked_until > now) {
      throw new RateLimitedError(Math.max(1, Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000)));
    }
  }

  private credentials(email: string): Promise<Credentials | undefined> {
    return this.knex("users")
      .leftJoin("user_credentials", "user_credentials.user_id", "users.id")
      .where("users.email", email)
      .first("users.id", "users.email", "user_credentials.password_hash");
  }

  /**
   * One more consecutive failure, in one statement (concurrent attempts all count). The
   * lockoutFailures-th locks the address and starts the count again; a count whose last
   * failure is older than a lockout period starts again too, so old typos do not add up.
   */
  private async recordFailure(email: string, now: Date): Promise<void> {
    const { lockoutFailures, lockoutMinutes } = this.limits;
    const lockedUntil = new Date(now.getTime() + lockoutMinutes * 60_000);
    const forgetBefore = new Date(now.getTime() - lockoutMinutes * 60_000);
    const next = "(case when f.last_failure_at < :forgetBefore then 0 else f.failures end) + 1";
    const locks = `${next} >= :max`;
    await this.knex.raw(
      `insert into sign_in_failures as f (email, failures, last_failure_at, locked_until)
       values (:email, case when 1 >= :max then 0 else 1 end, :now, case when 1 >= :max then cast(:lockedUntil as timestamptz) end)
       on conflict (email) do update set
         failures = case when ${locks} then 0 else ${next} end,
         last_failure_at = excluded.last_failure_at,
         locked_until = case when ${locks} then cast(:lockedUntil as timestamptz) else f.locked_until end`,
      { email, max: lockoutFailures, now, lockedUntil, forgetBefore },
    );
    // Counts that no longer matter (forgotten and not locking), a few at a time: addresses
    // nobody has (or typos) would otherwise stay for ever.
    await this.knex.raw(
      `delete from sign_in_failures where email in (
         select email from sign_in_failures
         where last_failure_at < :forgetBefore and (locked_until is null or locked_until <= :now) limit 100)`,
      { forgetBefore, now },
    );
  }
}
