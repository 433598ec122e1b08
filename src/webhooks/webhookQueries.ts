// Queries on the webhooks read model and the delivery outbox. The signing secret is never
// selected here: it is shown once, by POST /webhooks, and otherwise only the worker reads it.
import type { Knex } from "knex";
import { WEBHOOKS_TABLE } from "../../projections/webhooks.js";
import { WEBHOOK_DELIVERIES_TABLE, type DeliveryStatus } from "../../projections/webhookDeliveries.js";
import type { AlertType } from "../monitoring/checkEvents.js";
import type { WebhookItem } from "./webhookApi.js";

interface WebhookRow {
  id: string;
  url: string;
  alert_types: AlertType[];
  description: string | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_type: string;
  alert_id: string | null;
  is_test: boolean;
  status: DeliveryStatus;
  attempts: number;
  attempt_log: unknown[];
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

const WEBHOOK_COLUMNS = ["id", "url", "alert_types", "description", "is_active", "created_at", "updated_at"] as const;
const DELIVERY_COLUMNS = [
  "id", "webhook_id", "event_type", "alert_id", "is_test", "status", "attempts", "attempt_log", "next_attempt_at",
  "last_attempt_at", "last_status_code", "last_error", "delivered_at", "created_at",
] as const;

const webhookItem = (r: WebhookRow): WebhookItem => ({
  id: r.id,
  url: r.url,
  alert_types: r.alert_types,
  description: r.description,
  is_active: r.is_active,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

const deliveryItem = (r: DeliveryRow) => ({
  id: r.id,
  webhook_id: r.webhook_id,
  event: r.event_type,
  alert_id: r.alert_id,
  test: r.is_test,
  status: r.status,
  attempts: r.attempts,
  next_attempt_at: r.status === "pending" ? (r.next_attempt_at?.toISOString() ?? null) : null,
  last_attempt_at: r.last_attempt_at?.toISOString() ?? null,
  last_status_code: r.last_status_code,
  last_error: r.last_error,
  delivered_at: r.delivered_at?.toISOString() ?? null,
  created_at: r.created_at.toISOString(),
  attempt_log: r.attempt_log,
});

export interface PageQuery {
  readonly page: number;
  readonly perPage: number;
}

/** One page of `base` (newest first) in the API's {data, pagination} shape. */
async function pageOf<Row, Item>(base: Knex.QueryBuilder, q: PageQuery, columns: readonly string[], toItem: (r: Row) => Item) {
  const [rows, [{ total } = { total: 0 }]] = await Promise.all([
    base
      .clone()
      .select(...columns)
      .orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }])
      .limit(q.perPage)
      .offset((q.page - 1) * q.perPage) as Promise<Row[]>,
    base.clone().count<{ total: string }[]>({ total: "*" }),
  ]);
  const count = Number(total);
  return {
    data: rows.map(toItem),
    pagination: { page: q.page, per_page: q.perPage, total: count, total_pages: Math.ceil(count / q.perPage) },
  };
}

export class WebhookQueries {
  constructor(private readonly knex: Knex) {}

  list(userId: string, q: PageQuery) {
    return pageOf(this.owned(userId), q, WEBHOOK_COLUMNS, webhookItem);
  }

  async get(userId: string, webhookId: string) {
    const row = (await this.owned(userId).where({ id: webhookId }).first(...WEBHOOK_COLUMNS)) as WebhookRow | undefined;
    return row ? webhookItem(row) : null;
  }

  /** Null when the webhook is not the user's (or gone). */
  async deliveries(userId: string, webhookId: string, q: PageQuery & { status?: DeliveryStatus | undefined }) {
    if (!(await this.get(userId, webhookId))) return null;
    const base = this.knex(WEBHOOK_DELIVERIES_TABLE).where({ webhook_id: webhookId, user_id: userId });
    if (q.status) base.andWhere({ status: q.status });
    return pageOf(base, q, DELIVERY_COLUMNS, deliveryItem);
  }

  async delivery(userId: string, deliveryId: string) {
    const row = (await this.knex(WEBHOOK_DELIVERIES_TABLE).where({ id: deliveryId, user_id: userId }).first(...DELIVERY_COLUMNS)) as DeliveryRow | undefined;
    return row ? deliveryItem(row) : null;
  }

  private owned(userId: string) {
    return this.knex(WEBHOOKS_TABLE).where({ user_id: userId }).whereNull("deleted_at");
  }
}
