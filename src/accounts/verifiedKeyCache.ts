// Verified API keys kept in process, so most requests authenticate without a database round
// trip. What makes it safe across processes: every commit of the accounts projection moves its
// checkpoint row, and a trigger on that row NOTIFYs every process; a process then re-checks
// the keys it holds against the read model (at most once per REVALIDATE_MS). A revocation is
// therefore refused everywhere within about REVALIDATE_MS plus a round trip of the projection
// committing it, whichever process (or CLI, or rebuild) commits it. Entries are trusted only
// while this process is listening: while its connection is down nothing is served from the
// cache, and everything is forgotten when it comes back. Expiry is checked on every use.
import type { Knex } from "knex";
import { CHECKPOINTS_TABLE } from "../infrastructure/projections/checkpoints.js";
import type { ChannelSubscription, ListenSession } from "../infrastructure/postgres/listenSession.js";
import type { ApiKeyActor } from "./actor.js";

export const ACCOUNTS_CHANGED_CHANNEL = "ssltrackr_accounts_changed";
/** The projection whose commits signal a change (projections/accounts.ts). */
const ACCOUNTS_PROJECTION = "accounts";

const REVALIDATE_MS = 100;
/** A backstop only: notifications are what keeps entries true. */
const MAX_AGE_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/** Installs the trigger (idempotent; several processes may start at once). */
export async function ensureAccountsChangeNotification(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw("select pg_advisory_xact_lock(hashtext(?))", [ACCOUNTS_CHANGED_CHANNEL]);
    await trx.raw(`create or replace function ${ACCOUNTS_CHANGED_CHANNEL}() returns trigger language plpgsql as $$
      begin
        perform pg_notify('${ACCOUNTS_CHANGED_CHANNEL}', '');
        return null;
      end $$`);
    // Creating a trigger locks the table against the projectors' commits: only when missing.
    const { rows } = await trx.raw<{ rows: unknown[] }>(`select 1 from pg_trigger where tgname = ? and tgrelid = ?::regclass`, [
      ACCOUNTS_CHANGED_CHANNEL,
      CHECKPOINTS_TABLE,
    ]);
    if (rows.length > 0) return;
    await trx.raw(`create trigger ${ACCOUNTS_CHANGED_CHANNEL} after update on ${CHECKPOINTS_TABLE}
      for each row when (new.name = '${ACCOUNTS_PROJECTION}') execute function ${ACCOUNTS_CHANGED_CHANNEL}()`);
  });
}

interface Entry {
  readonly actor: ApiKeyActor;
  readonly expiresAt: Date | null;
  readonly cachedAt: number;
}

/** Which of these key hashes still belong to usable keys, per the read model. */
export type Revalidate = (keyHashes: string[], now: Date) => Promise<Set<string>>;

export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Listening on the channel now: entries may be served. */
  private hearing = false;
  /** Bumped by every change notice: a lookup that started before one may be stale. */
  private generation = 0;
  private revalidating = false;
  private revalidateAgain = false;
  /** The subscription to ACCOUNTS_CHANGED_CHANNEL, from start() to stop(). */
  private listening: ChannelSubscription | undefined;

  constructor(
    private readonly listenSession: ListenSession,
    private readonly revalidate: Revalidate,
    private readonly clock: { now(): Date },
    private readonly revalidateMs = REVALIDATE_MS,
  ) {}

  /** Resolves once listening, or after the first failure to (nothing is cached until it listens). */
  start(): Promise<void> {
    this.listening ??= this.listenSession.listen(ACCOUNTS_CHANGED_CHANNEL, {
      onListening: () => {
        this.entries.clear();
        this.hearing = true;
      },
      onDeaf: () => {
        this.hearing = false;
        this.entries.clear();
        this.generation++;
      },
      onNotification: () => this.changed(),
    });
    return this.listening.ready;
  }

  async stop(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    await listening?.stop();
  }

  /** The actor of a cached, unexpired key. */
  get(keyHash: string, now: Date): ApiKeyActor | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if ((entry.expiresAt && entry.expiresAt <= now) || performance.now() - entry.cachedAt > MAX_AGE_MS) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return entry.actor;
  }

  /** Taken before reading the read model; `put` keeps the answer only if no change came since. */
  token(): number {
    return this.generation;
  }

  put(keyHash: string, actor: ApiKeyActor, expiresAt: Date | null, token: number): void {
    if (!this.hearing || token !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(keyHash, { actor, expiresAt, cachedAt: performance.now() });
  }

  /** Drops a key at once (the process that revoked it must not wait for the notice). */
  forgetKey(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.actor.keyId === keyId) this.entries.delete(hash);
  }

  private changed(): void {
    this.generation++;
    if (this.revalidating) this.revalidateAgain = true;
    else this.runRevalidation();
  }

  /** One re-check now, then none for revalidateMs; notices meanwhile make one more after. */
  private runRevalidation(): void {
    this.revalidating = true;
    void this.revalidateCached().finally(() => {
      setTimeout(() => {
        this.revalidating = false;
        if (!this.revalidateAgain) return;
        this.revalidateAgain = false;
        this.runRevalidation();
      }, this.revalidateMs).unref();
    });
  }

  private async revalidateCached(): Promise<void> {
    const hashes = [...this.entries.keys()];
    if (hashes.length === 0) return;
    try {
      const valid = await this.revalidate(hashes, this.clock.now());
      for (const hash of hashes) if (!valid.has(hash)) this.entries.delete(hash);
    } catch {
      // Could not check: trust nothing held.
      this.entries.clear();
    }
  }
}
