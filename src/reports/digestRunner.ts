// Queues the digests that are due (issue #15, 3). The scheduler's leader runs it on every tick
// (src/monitoring/scheduler/checkScheduler.ts); it is safe in any number of processes at once:
// a digest is claimed by inserting (user, period) into digest_runs with ON CONFLICT DO NOTHING,
// in the same transaction that queues its delivery in the notification outbox, so exactly one
// claim wins and only the winner's delivery is committed. The delivery worker then sends it
// like any notification: retries with backoff, dead state, the channel's delivery log.
import type { Knex } from "knex";
import { ALERTS_TABLE } from "../../projections/alerts.js";
import { DOMAINS_TABLE } from "../../projections/domains.js";
import { DIGEST_SETTINGS_TABLE } from "../../projections/digestSettings.js";
import { NOTIFICATION_CHANNELS_TABLE } from "../../projections/notificationChannels.js";
import { NOTIFICATION_DELIVERIES_TABLE } from "../../projections/notificationDeliveries.js";
import type { DeliveryStatus } from "../../projections/webhookDeliveries.js";
import type { Clock } from "../shared/clock.js";
import { deliveryIdFor } from "../webhooks/payload.js";
import { DIGEST_EVENT, type PreparedMail } from "../notifications/preparedMail.js";
import { composeDigest, type DigestAlert } from "./digestComposer.js";
import { digestPeriod } from "./digestSchedule.js";
import { digestSettingsSchema, type DigestSettings } from "./digestSettings.js";
import type { ReportQueries } from "./reportQueries.js";

export const DIGEST_RUNS_TABLE = "digest_runs";

interface Candidate {
  readonly userId: string;
  readonly settings: DigestSettings;
  readonly timeZone: string;
  readonly periodKey: string;
}

export class DigestRunner {
  constructor(
    private readonly knex: Knex,
    private readonly reports: ReportQueries,
    private readonly clock: Clock,
    /** SSLTRACKR_PUBLIC_URL, or null: digests carry no links. */
    private readonly baseUrl: string | null,
  ) {}

  /** Queues every due, unclaimed digest; returns how many periods it claimed (sent or empty). */
  async run(): Promise<number> {
    let claimed = 0;
    for (const c of await this.dueCandidates(this.clock.now())) {
      if (await this.claim(c)) claimed += 1;
    }
    return claimed;
  }

  /**
   * Users whose digest is on, whose period has come and is not claimed yet. A digest whose
   * channel is gone, paused or not e-mail is skipped (PUT /digest-settings refuses such a
   * channel; it can be deleted or paused later).
   */
  private async dueCandidates(now: Date): Promise<Candidate[]> {
    const { rows } = await this.knex.raw<{ rows: { user_id: string; settings: unknown; time_zone: string | null }[] }>(
      `select s.user_id, s.settings, a.settings->>'time_zone' as time_zone
         from ${DIGEST_SETTINGS_TABLE} s
         join ${NOTIFICATION_CHANNELS_TABLE} c
           on c.id = (s.settings->>'channel_id')::uuid and c.user_id = s.user_id
          and c.type = 'email' and c.is_active and c.deleted_at is null
         left join alert_settings a on a.user_id = s.user_id
        where s.enabled`,
    );
    const due = rows.flatMap((r) => {
      const settings = digestSettingsSchema.parse(r.settings);
      const timeZone = r.time_zone ?? "UTC";
      const period = digestPeriod(settings, timeZone, now);
      return period.due ? [{ userId: r.user_id, settings, timeZone, periodKey: period.key }] : [];
    });
    if (due.length === 0) return [];
    const { rows: done } = await this.knex.raw<{ rows: { user_id: string; period_key: string }[] }>(
      `select user_id, period_key from ${DIGEST_RUNS_TABLE}
        where (user_id, period_key) in (select * from unnest(?::uuid[], ?::text[]))`,
      [due.map((c) => c.userId), due.map((c) => c.periodKey)],
    );
    const claimed = new Set(done.map((r) => `${r.user_id}/${r.period_key}`));
    return due.filter((c) => !claimed.has(`${c.userId}/${c.periodKey}`));
  }

  /** Composes the digest and claims its period; false when another process claimed it first. */
  private async claim(c: Candidate): Promise<boolean> {
    const now = this.clock.now();
    const [report, alerts] = await Promise.all([this.reports.expiring(c.userId, c.settings.within_days), this.openAlerts(c.userId)]);
    const mail = composeDigest({ report, alerts, timeZone: c.timeZone, baseUrl: this.baseUrl });
    const channelId = c.settings.channel_id!;
    const send = !mail.empty || c.settings.send_when_empty;
    const deliveryId = send ? deliveryIdFor(channelId, `digest/${c.periodKey}`) : null;
    return this.knex.transaction(async (trx) => {
      const won = await trx(DIGEST_RUNS_TABLE)
        .insert({ user_id: c.userId, period_key: c.periodKey, ran_at: now, delivery_id: deliveryId })
        .onConflict(["user_id", "period_key"])
        .ignore()
        .returning("user_id");
      if (won.length === 0 || !deliveryId) return won.length > 0;
      const payload: PreparedMail = { subject: mail.subject, text: mail.text, html: mail.html, period: c.periodKey };
      await trx(NOTIFICATION_DELIVERIES_TABLE)
        .insert({
          id: deliveryId,
          channel_id: channelId,
          user_id: c.userId,
          alert_id: null,
          event_type: DIGEST_EVENT,
          is_test: false,
          payload: JSON.stringify(payload),
          status: "pending" satisfies DeliveryStatus,
          next_attempt_at: now,
          created_at: now,
        })
        .onConflict("id")
        .ignore();
      return true;
    });
  }

  /** The user's unresolved alerts (open or acknowledged). */
  private async openAlerts(userId: string): Promise<DigestAlert[]> {
    const rows = await this.knex(ALERTS_TABLE)
      .select<{ domain_id: string; hostname: string; alert_type: string; severity: string; title: string; triggered_at: Date; state: DigestAlert["state"] }[]>(
        "domain_id",
        "hostname",
        "alert_type",
        "severity",
        "title",
        "triggered_at",
        "state",
      )
      .where({ user_id: userId })
      .whereIn("state", ["open", "acknowledged"])
      // A deleted domain's alerts are nobody's concern any more (the report leaves it out too).
      .whereExists((q) => q.select(this.knex.raw("1")).from(DOMAINS_TABLE).whereRaw(`${DOMAINS_TABLE}.id = ${ALERTS_TABLE}.domain_id`).whereNull("deleted_at"));
    return rows.map((r) => ({ ...r, triggered_at: r.triggered_at.toISOString() }));
  }
}
