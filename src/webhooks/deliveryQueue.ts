// The outbox as the delivery worker sees it. A worker claims due rows under a lease
// (FOR UPDATE SKIP LOCKED, so workers in several processes never take the same row). A
// worker that dies mid-attempt leaves a lease that expires, after which another worker takes
// the row again: no delivery is lost, at the price of a possible second send.
//
// One queue serves every outbox of the same shape (issue #15): webhook deliveries, and
// notification channel deliveries (src/notifications), each named by an OutboxSpec.
import type { Knex } from "knex";
import { WEBHOOK_DELIVERIES_TABLE, type DeliveryStatus } from "../../projections/webhookDeliveries.js";
import { WEBHOOKS_TABLE } from "../../projections/webhooks.js";

/** What every leased delivery carries, whichever outbox it comes from. */
export interface ClaimedBase {
  readonly id: string;
  readonly event_type: string;
  readonly is_test: boolean;
  readonly payload: string;
  readonly attempts: number;
  /** Trace context of the command that raised the alert, if it was traced. */
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/** A leased webhook delivery with what is needed to send it. */
export interface ClaimedDelivery extends ClaimedBase {
  readonly webhook_id: string;
  readonly url: string;
  readonly secret: string;
  readonly webhook_deleted_at: Date | null;
}

/** An outbox: its deliveries table, the targets table its rows point to, and what a claim returns of the target. */
export interface OutboxSpec {
  readonly deliveries: string;
  readonly targets: string;
  /** The deliveries column holding the target's id. */
  readonly targetColumn: string;
  /** Target columns (alias t) returned with each claimed delivery. */
  readonly targetColumns: string;
}

export const WEBHOOK_OUTBOX: OutboxSpec = {
  deliveries: WEBHOOK_DELIVERIES_TABLE,
  targets: WEBHOOKS_TABLE,
  targetColumn: "webhook_id",
  targetColumns: "d.webhook_id, t.url, t.secret, t.deleted_at as webhook_deleted_at",
};

export interface AttemptOutcome {
  readonly attempt: number;
  readonly attemptedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly status: DeliveryStatus;
  readonly nextAttemptAt: Date | null;
}

export interface NewTestDelivery {
  readonly id: string;
  /** The webhook's or channel's id. */
  readonly targetId: string;
  readonly userId: string;
  readonly eventType: string;
  readonly payload: string;
  readonly now: Date;
}

const BASE_COLUMNS = "d.id, d.event_type, d.is_test, d.payload, d.attempts, d.traceparent, d.tracestate";

export class DeliveryQueue<Claimed extends ClaimedBase = ClaimedDelivery> {
  private readonly table: string;
  private readonly columns: string;

  constructor(
    private readonly knex: Knex,
    private readonly outbox: OutboxSpec = WEBHOOK_OUTBOX,
  ) {
    this.table = outbox.deliveries;
    this.columns = `${BASE_COLUMNS}, ${outbox.targetColumns}`;
  }

  /** Leases up to `limit` due deliveries to `owner` until `now + leaseMs`. */
  async claimDue(owner: string, now: Date, leaseMs: number, limit: number): Promise<Claimed[]> {
    const { rows } = await this.knex.raw<{ rows: Claimed[] }>(
      `with due as (
         select id from ${this.table}
          where status = 'pending' and next_attempt_at <= :now
            and (lease_expires_at is null or lease_expires_at <= :now)
          order by next_attempt_at
          limit :limit
          for update skip locked
       )
       update ${this.table} d
          set lease_owner = :owner, lease_expires_at = :leaseUntil
         from due, ${this.outbox.targets} t
        where d.id = due.id and t.id = d.${this.outbox.targetColumn}
       returning ${this.columns}`,
      { now, limit, owner, leaseUntil: new Date(now.getTime() + leaseMs) },
    );
    return rows;
  }

  /** Queues a test delivery already leased to `owner`, so that it is sent by its caller. */
  async insertClaimed(owner: string, leaseMs: number, d: NewTestDelivery): Promise<Claimed> {
    await this.knex(this.table).insert({
      id: d.id,
      [this.outbox.targetColumn]: d.targetId,
      user_id: d.userId,
      alert_id: null,
      event_type: d.eventType,
      is_test: true,
      payload: d.payload,
      status: "pending" satisfies DeliveryStatus,
      next_attempt_at: d.now,
      lease_owner: owner,
      lease_expires_at: new Date(d.now.getTime() + leaseMs),
      created_at: d.now,
    });
    const { rows } = await this.knex.raw<{ rows: Claimed[] }>(
      `select ${this.columns} from ${this.table} d join ${this.outbox.targets} t on t.id = d.${this.outbox.targetColumn} where d.id = ?`,
      [d.id],
    );
    if (!rows[0]) throw new Error(`test delivery ${d.id} vanished`);
    return rows[0];
  }

  /**
   * Records an attempt and releases the lease. False when the lease was lost (another
   * worker took the row after it expired; its own outcome will be recorded).
   */
  async record(owner: string, deliveryId: string, o: AttemptOutcome): Promise<boolean> {
    const entry = { attempt: o.attempt, attempted_at: o.attemptedAt.toISOString(), duration_ms: o.durationMs, status_code: o.statusCode, error: o.error };
    const updated = await this.knex(this.table)
      .where({ id: deliveryId, lease_owner: owner })
      .update({
        attempts: o.attempt,
        attempt_log: this.knex.raw("attempt_log || ?::jsonb", [JSON.stringify([entry])]),
        status: o.status,
        next_attempt_at: o.nextAttemptAt,
        last_attempt_at: o.attemptedAt,
        last_status_code: o.statusCode,
        last_error: o.error,
        delivered_at: o.status === "delivered" ? o.attemptedAt : null,
        lease_owner: null,
        lease_expires_at: null,
      });
    return updated === 1;
  }

  /**
   * Ends every pending delivery without sending it; returns how many. After a restore the
   * projections queue a delivery for every past alert: those were sent (or given up) before
   * the backup, and re-sending years of alerts would flood the receivers.
   */
  async cancelAllPending(reason: string): Promise<number> {
    return this.knex(this.table)
      .where({ status: "pending" satisfies DeliveryStatus })
      .update({ status: "cancelled" satisfies DeliveryStatus, next_attempt_at: null, last_error: reason, lease_owner: null, lease_expires_at: null });
  }

  /** Ends a delivery without sending it (its webhook or channel was deleted). */
  async cancel(owner: string, deliveryId: string, reason: string): Promise<void> {
    await this.knex(this.table)
      .where({ id: deliveryId, lease_owner: owner })
      .update({ status: "cancelled" satisfies DeliveryStatus, next_attempt_at: null, last_error: reason, lease_owner: null, lease_expires_at: null });
  }
}
