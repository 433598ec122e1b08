// Queries on the notification channels read model and their outbox. Sealed secrets are never
// selected here: the API only says which secret fields are set.
import type { Knex } from "knex";
import { NOTIFICATION_CHANNELS_TABLE } from "../../projections/notificationChannels.js";
import { NOTIFICATION_DELIVERIES_TABLE } from "../../projections/notificationDeliveries.js";
import type { DeliveryStatus } from "../../projections/webhookDeliveries.js";
import { paginate } from "../infrastructure/postgres/pagination.js";
import type { ChannelDeliveryItem, ChannelItem } from "./channelApi.js";
import type { ChannelType } from "./channelTypes.js";
import type { Template } from "./events.js";

interface ChannelRow {
  id: string;
  type: ChannelType;
  name: string;
  config: Record<string, unknown>;
  secret_fields: string[] | null;
  alert_types: ChannelItem["routing"]["alert_types"];
  min_severity: ChannelItem["routing"]["min_severity"];
  tags: string[];
  template: Template | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

const channelItem = (r: ChannelRow): ChannelItem => ({
  id: r.id,
  type: r.type,
  name: r.name,
  config: r.config,
  secrets_set: [...(r.secret_fields ?? [])].sort(),
  routing: { alert_types: r.alert_types, min_severity: r.min_severity, tags: r.tags },
  template: r.template,
  is_active: r.is_active,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

interface DeliveryRow {
  id: string;
  channel_id: string;
  event_type: string;
  alert_id: string | null;
  is_test: boolean;
  status: DeliveryStatus;
  attempts: number;
  attempt_log: ChannelDeliveryItem["attempt_log"];
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

const deliveryItem = (r: DeliveryRow): ChannelDeliveryItem => ({
  id: r.id,
  channel_id: r.channel_id,
  event: r.event_type as ChannelDeliveryItem["event"],
  alert_id: r.alert_id,
  test: r.is_test,
  status: r.status,
  attempts: r.attempts,
  next_attempt_at: r.next_attempt_at?.toISOString() ?? null,
  last_attempt_at: r.last_attempt_at?.toISOString() ?? null,
  last_status_code: r.last_status_code,
  last_error: r.last_error,
  delivered_at: r.delivered_at?.toISOString() ?? null,
  created_at: r.created_at.toISOString(),
  attempt_log: r.attempt_log,
});

const CHANNEL_COLUMNS = [
  "id", "type", "name", "config", "alert_types", "min_severity", "tags", "template", "is_active", "created_at", "updated_at",
] as const;
const DELIVERY_COLUMNS = [
  "id", "channel_id", "event_type", "alert_id", "is_test", "status", "attempts", "attempt_log", "next_attempt_at",
  "last_attempt_at", "last_status_code", "last_error", "delivered_at", "created_at",
] as const;
const newestFirst = [{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }] as const;

export class ChannelQueries {
  constructor(private readonly knex: Knex) {}

  private owned(userId: string) {
    return this.knex(NOTIFICATION_CHANNELS_TABLE).where({ user_id: userId }).whereNull("deleted_at");
  }

  private withSecretFields(query: Knex.QueryBuilder) {
    return query.select(...CHANNEL_COLUMNS, this.knex.raw("array(select jsonb_object_keys(sealed_secrets)) as secret_fields"));
  }

  async list(userId: string, q: { page: number; perPage: number }) {
    return paginate(this.knex, this.owned(userId), q.page, q.perPage, (query) => this.withSecretFields(query).orderBy([...newestFirst]), channelItem);
  }

  async get(userId: string, channelId: string): Promise<ChannelItem | null> {
    const row = (await this.withSecretFields(this.owned(userId).where({ id: channelId })).first()) as ChannelRow | undefined;
    return row ? channelItem(row) : null;
  }

  async deliveries(userId: string, channelId: string, q: { page: number; perPage: number; status?: DeliveryStatus | undefined }) {
    const base = this.knex(NOTIFICATION_DELIVERIES_TABLE).where({ channel_id: channelId, user_id: userId });
    if (q.status) base.andWhere({ status: q.status });
    return paginate(this.knex, base, q.page, q.perPage, (query) => query.select(...DELIVERY_COLUMNS).orderBy([...newestFirst]), deliveryItem);
  }

  async delivery(userId: string, deliveryId: string): Promise<ChannelDeliveryItem | null> {
    const row = (await this.knex(NOTIFICATION_DELIVERIES_TABLE).where({ id: deliveryId, user_id: userId }).first(...DELIVERY_COLUMNS)) as DeliveryRow | undefined;
    return row ? deliveryItem(row) : null;
  }
}
