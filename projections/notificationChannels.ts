// Read model of notification channels (backs /notification-channels, gives the delivery worker
// each channel's settings and sealed secrets) and the queueing of their deliveries (issue #15).
// As for webhooks (webhooks.ts), one projection with one checkpoint both keeps the channels and
// queues deliveries, so an alert is matched against the channels, and its domain's tags and
// mute, as they were at the alert's position; a batch is written in runs of one kind of event.
import type { Knex } from "knex";
import { DomainAdded, DomainRemoved, DomainUpdated } from "../src/domains/events.js";
import { AlertAcknowledged, AlertRaised, AlertResolved } from "../src/monitoring/checkEvents.js";
import { channelEventDefinitions } from "../src/notifications/events.js";
import { eventCodec, type EventOf } from "../src/infrastructure/eventStore/eventCodec.js";
import { defineProjection, type Decoded } from "../src/infrastructure/projections/projection.js";
import { RowChanges } from "../src/infrastructure/projections/rowWrites.js";
import { queueNotifications, raisedFacts, followUpFacts, type ChannelRoute, type Notification, NOTIFICATION_DELIVERIES_TABLE } from "./notificationDeliveries.js";
import { storableInstant } from "../src/shared/instant.js";

export const NOTIFICATION_CHANNELS_TABLE = "notification_channels";
export const NOTIFICATION_DOMAINS_TABLE = "notification_domains";

const definitions = [...channelEventDefinitions, DomainAdded, DomainUpdated, DomainRemoved, AlertRaised, AlertResolved, AlertAcknowledged] as const;
type Event = EventOf<(typeof definitions)[number]>;
type ChannelEvent = Extract<Event, { type: `NotificationChannel${string}` }>;
type DomainEvent = Extract<Event, { type: "DomainAdded" | "DomainUpdated" | "DomainRemoved" }>;
type AlertEvent = Extract<Event, { type: "AlertRaised" | "AlertResolved" | "AlertAcknowledged" }>;
type Kind = "channel" | "domain" | "alert";

const kindOf = (e: Event): Kind => (e.type.startsWith("NotificationChannel") ? "channel" : e.type.startsWith("Domain") ? "domain" : "alert");

/** Pure: the batch's channel rows, one insert or one patch per channel. */
export function foldChannels(events: readonly Decoded<ChannelEvent>[]): RowChanges {
  const rows = new RowChanges("id");
  for (const { event, recorded } of events) {
    const stream_revision = recorded.revision.toString();
    switch (event.type) {
      case "NotificationChannelCreated": {
        const d = event.data;
        rows.insert({
          id: d.channelId,
          user_id: d.userId,
          type: d.channelType,
          name: d.name,
          config: d.config,
          sealed_secrets: d.sealedSecrets,
          alert_types: d.routing.alertTypes,
          min_severity: d.routing.minSeverity,
          tags: d.routing.tags,
          template: d.template,
          is_active: true,
          created_at: d.createdAt,
          updated_at: d.createdAt,
          stream_revision,
        });
        break;
      }
      case "NotificationChannelUpdated": {
        const c = event.data.changes;
        rows.patch(event.data.channelId, {
          updated_at: event.data.updatedAt,
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.config !== undefined ? { config: c.config } : {}),
          ...(c.sealedSecrets !== undefined ? { sealed_secrets: c.sealedSecrets } : {}),
          ...(c.routing !== undefined ? { alert_types: c.routing.alertTypes, min_severity: c.routing.minSeverity, tags: c.routing.tags } : {}),
          ...(c.template !== undefined ? { template: c.template } : {}),
          ...(c.isActive !== undefined ? { is_active: c.isActive } : {}),
          stream_revision,
        });
        break;
      }
      case "NotificationChannelDeleted":
        rows.patch(event.data.channelId, { deleted_at: event.data.deletedAt, stream_revision });
        break;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
  return rows;
}

/** Pure: what routing needs of each domain (owner, tags, mute). A removed domain raises no more alerts; its row stays. */
export function foldRoutingDomains(events: readonly Decoded<DomainEvent>[]): RowChanges {
  const rows = new RowChanges("id");
  for (const { event, recorded } of events) {
    const stream_revision = recorded.revision.toString();
    if (event.type === "DomainAdded") {
      rows.insert({ id: event.data.domainId, user_id: event.data.userId, tags: event.data.tags, muted_until: null, stream_revision });
    } else if (event.type === "DomainUpdated") {
      const c = event.data.changes;
      rows.patch(event.data.domainId, {
        ...(c.tags !== undefined ? { tags: c.tags } : {}),
        // As stored: an instant stored outside the years 0001-9999 is read clamped (src/shared/instant.ts).
        ...(c.mutedUntil !== undefined ? { muted_until: storableInstant(c.mutedUntil) } : {}),
        stream_revision,
      });
    }
  }
  return rows;
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

interface DomainRoute {
  readonly id: string;
  readonly tags: readonly string[];
  readonly muted_until: Date | null;
}

/**
 * Pure: the channels a raised alert goes to. A channel wants it when it is its user's, active,
 * selects its type (or all), its severity is at least the channel's minimum, and the domain has
 * one of the channel's tags (or the channel names none); nothing while the domain is muted.
 */
export function routeRaised(alert: EventOf<typeof AlertRaised>["data"], channels: readonly ChannelRoute[], domain: DomainRoute | undefined): ChannelRoute[] {
  if (domain?.muted_until && domain.muted_until.getTime() > Date.parse(alert.triggeredAt)) return [];
  return channels.filter(
    (c) =>
      c.user_id === alert.userId &&
      (c.alert_types.length === 0 || c.alert_types.includes(alert.alertType)) &&
      SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[c.min_severity] &&
      (c.tags.length === 0 || c.tags.some((t) => domain?.tags.includes(t))),
  );
}

/** Resolves go to every kind of channel that got the alert; acknowledgements only where the provider has the notion. */
const TAKES_ACKNOWLEDGEMENTS = new Set(["pagerduty", "opsgenie", "webhook"]);

async function queueAlertRun(trx: Knex.Transaction, run: readonly Decoded<AlertEvent>[]): Promise<void> {
  const users = [...new Set(run.map((a) => a.event.data.userId))];
  const channels: ChannelRoute[] = await trx(NOTIFICATION_CHANNELS_TABLE)
    .select("id", "user_id", "type", "alert_types", "min_severity", "tags")
    .whereIn("user_id", users)
    .where({ is_active: true })
    .whereNull("deleted_at");
  const domains: DomainRoute[] = await trx(NOTIFICATION_DOMAINS_TABLE).select("id", "tags", "muted_until").whereIn("id", [...new Set(run.map((a) => a.event.data.domainId))]);
  const domainById = new Map(domains.map((d) => [d.id, d]));
  const followUps = run.flatMap((a) => (a.event.type === "AlertRaised" ? [] : [a.event.data.alertId]));
  // What each earlier raise was sent to, with its facts: a follow-up goes to the same channels.
  const sent: { channel_id: string; alert_id: string; payload: string }[] =
    followUps.length === 0
      ? []
      : await trx(NOTIFICATION_DELIVERIES_TABLE).select("channel_id", "alert_id", "payload").whereIn("alert_id", followUps).where({ event_type: "alert.raised", is_test: false });
  const notifications: Notification[] = [];
  for (const { event, recorded } of run) {
    const cause = recorded.metadata;
    if (event.type === "AlertRaised") {
      const facts = raisedFacts(event.data);
      for (const c of routeRaised(event.data, channels, domainById.get(event.data.domainId))) notifications.push({ channelId: c.id, userId: c.user_id, facts, cause });
      // Raised in this same run and followed up in it too: they are in `notifications` already.
      continue;
    }
    const earlier = [
      ...sent.filter((s) => s.alert_id === event.data.alertId).map((s) => ({ channelId: s.channel_id, facts: JSON.parse(s.payload) as Notification["facts"] })),
      ...notifications.filter((n) => n.facts.alertId === event.data.alertId && n.facts.event === "raised"),
    ];
    for (const e of earlier) {
      const channel = channels.find((c) => c.id === e.channelId);
      if (!channel) continue;
      if (event.type === "AlertAcknowledged" && !TAKES_ACKNOWLEDGEMENTS.has(channel.type)) continue;
      notifications.push({ channelId: channel.id, userId: channel.user_id, facts: followUpFacts(e.facts, event), cause });
    }
  }
  await queueNotifications(trx, notifications);
}

/** Consecutive events of one kind. */
function runs(events: readonly Decoded<Event>[]): Decoded<Event>[][] {
  const out: Decoded<Event>[][] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (last && kindOf(last[0]!.event) === kindOf(e.event)) last.push(e);
    else out.push([e]);
  }
  return out;
}

const newer = { onConflict: { newerBy: "stream_revision" }, newerBy: "stream_revision" } as const;

export const notificationChannelsProjection = defineProjection({
  name: "notification_channels",
  // Not the outbox: emptying it on a rebuild would re-send every past alert (ids are derived, so replays add nothing).
  tables: [NOTIFICATION_CHANNELS_TABLE, NOTIFICATION_DOMAINS_TABLE],
  codec: eventCodec(definitions),
  eventTypes: definitions.map((d) => d.type),
  // Domain events only keep the routing's copy of tags and mutes, which no response shows: a
  // domain's create or update does not wait for them (alerts match it in log order anyway).
  awaitedTypes: [...channelEventDefinitions, AlertRaised, AlertResolved, AlertAcknowledged].map((d) => d.type),
  async applyBatch(trx, events) {
    for (const run of runs(events)) {
      const kind = kindOf(run[0]!.event);
      if (kind === "channel") await foldChannels(run as Decoded<ChannelEvent>[]).write(trx, NOTIFICATION_CHANNELS_TABLE, newer);
      else if (kind === "domain") await foldRoutingDomains(run as Decoded<DomainEvent>[]).write(trx, NOTIFICATION_DOMAINS_TABLE, newer);
      else await queueAlertRun(trx, run as Decoded<AlertEvent>[]);
    }
  },
});
