// How the delivery worker (src/webhooks/deliveryWorker.ts) sends a notification: open the
// channel's secrets, render the message from the stored facts and what is known at send time
// (the user's time zone, the latest issuer, registrar and grade), check every target against
// the SSRF guard (DNS may have changed since the channel was saved), then POST to the provider
// or hand the mail to the SMTP server. Every failure is an error message for the delivery log.
import type { Knex } from "knex";
import type { ClaimedBase } from "../webhooks/deliveryQueue.js";
import type { DeliveryTransport, SendResult } from "../webhooks/deliveryWorker.js";
import { postWebhook } from "../webhooks/webhookHttp.js";
import { signatureHeader, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER } from "../webhooks/signature.js";
import { resolveWebhookTarget, type WebhookTargetPolicy } from "../webhooks/webhookUrl.js";
import { TargetError } from "../infrastructure/network/targets.js";
import type { SecretBox } from "../infrastructure/secrets/secretBox.js";
import { serviceMetrics } from "../infrastructure/telemetry/metrics.js";
import type { Clock } from "../shared/clock.js";
import type { AlertSettingsQueries } from "../monitoring/alertSettingsQueries.js";
import { channelSchemas, type ChannelType } from "./channelTypes.js";
import type { Template } from "./events.js";
import type { NotificationFacts } from "./facts.js";
import { sendMail } from "./mailer.js";
import { DIGEST_EVENT, type PreparedMail } from "./preparedMail.js";
import { buildMessage, htmlOf, type Message } from "./message.js";
import { discordRequest, ntfyRequest, opsgenieRequest, pagerDutyRequest, slackRequest, teamsRequest, telegramRequest, type HttpRequest } from "./providers.js";

export interface ClaimedNotification extends ClaimedBase {
  readonly channel_id: string;
  readonly user_id: string;
  readonly type: ChannelType;
  readonly config: Record<string, unknown>;
  readonly sealed_secrets: Record<string, string>;
  readonly template: Template | null;
  readonly channel_deleted_at: Date | null;
}

export const CHANNEL_TARGET_COLUMNS = "d.channel_id, d.user_id, t.type, t.config, t.sealed_secrets, t.template, t.deleted_at as channel_deleted_at";

export interface NotificationTransportOptions {
  readonly knex: Knex;
  readonly clock: Clock;
  readonly secrets: SecretBox | null;
  readonly settings: AlertSettingsQueries;
  readonly policy: WebhookTargetPolicy;
  readonly timeoutMs: number;
  readonly baseUrl: string | null;
  /** SSLTRACKR_EXTRA_CA_FILE's roots, trusted by SMTP TLS besides Node's (a relay with a private CA). */
  readonly extraCa?: readonly string[] | undefined;
}

const USER_AGENT = "SSLTrackr-Notifications/1";

class Refused extends Error {}

export function notificationTransport(o: NotificationTransportOptions): DeliveryTransport<ClaimedNotification> {
  const resolve = async (host: string): Promise<string[]> => {
    try {
      return await resolveWebhookTarget(new URL(`http://${host.includes(":") ? `[${host}]` : host}/`), o.policy);
    } catch (err) {
      throw new Refused(`refused target, not sent: ${err instanceof TargetError ? err.message : String(err)}`);
    }
  };

  const post = async (request: HttpRequest, extraHeaders: Record<string, string> = {}): Promise<SendResult> => {
    const url = new URL(request.url);
    const addresses = await resolve(url.hostname);
    const statusCode = await postWebhook({
      url,
      addresses,
      headers: { "user-agent": USER_AGENT, ...request.headers, ...extraHeaders },
      body: request.body,
      timeoutMs: o.timeoutMs,
    });
    return { statusCode, error: statusCode >= 200 && statusCode < 300 ? null : `receiver answered HTTP ${statusCode}` };
  };

  /** Issuer, grade and registrar from the latest successful checks: the facts around the alert. */
  const context = async (facts: NotificationFacts) => {
    const latest = (table: string) =>
      o.knex(table).select("result").where({ domain_id: facts.domainId, outcome: "ok" }).orderBy("checked_at", "desc").first() as Promise<{ result: Record<string, unknown> } | undefined>;
    const [ssl, whois] = await Promise.all([latest("ssl_checks"), latest("whois_checks")]);
    const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
    return { issuer: str(ssl?.result["issuer"]), grade: str(ssl?.result["grade"]), registrar: str(whois?.result["registrar"]) };
  };

  /** Sends through an `email` channel; `settings` as for send. */
  const mail = async (settings: Record<string, unknown>, content: Pick<PreparedMail, "subject" | "text" | "html">, headers: Record<string, string>): Promise<SendResult> => {
    const c = channelSchemas.email.config.parse(settings);
    const [address] = await resolve(c.smtp_host);
    const sent = await sendMail(
      { host: c.smtp_host, port: c.smtp_port, security: c.security, username: c.username, password: c.password, from: c.from },
      { to: c.recipients, ...content, headers },
      { address: address!, timeoutMs: o.timeoutMs, extraCa: o.extraCa },
    );
    return { statusCode: null, error: sent.accepted.length > 0 ? null : `no recipient accepted (${sent.rejected.join(", ")})` };
  };

  /** `settings`: the channel's config with its secrets opened, as the type's schema reads it. */
  const send = async (d: ClaimedNotification, message: Message, facts: NotificationFacts, settings: Record<string, unknown>): Promise<SendResult> => {
    switch (d.type) {
      case "email":
        return mail(settings, { subject: message.title, text: message.text, html: htmlOf(message) }, { "X-SSLTrackr-Alert": facts.alertId, "X-SSLTrackr-Event": `alert.${facts.event}` });
      case "slack":
        return post(slackRequest(channelSchemas.slack.config.parse(settings).webhook_url, message));
      case "teams":
        return post(teamsRequest(channelSchemas.teams.config.parse(settings).webhook_url, message));
      case "discord":
        return post(discordRequest(channelSchemas.discord.config.parse(settings).webhook_url, message, facts));
      case "telegram": {
        const c = channelSchemas.telegram.config.parse(settings);
        return post(telegramRequest(c, c.bot_token, message));
      }
      case "pagerduty": {
        const c = channelSchemas.pagerduty.config.parse(settings);
        return post(pagerDutyRequest(c, c.routing_key, message, facts));
      }
      case "opsgenie": {
        const c = channelSchemas.opsgenie.config.parse(settings);
        return post(opsgenieRequest(c, c.api_key, message, facts));
      }
      case "ntfy": {
        const c = channelSchemas.ntfy.config.parse(settings);
        return post(ntfyRequest(c, c.access_token, message, facts));
      }
      case "webhook": {
        const c = channelSchemas.webhook.config.parse(settings);
        // The signed format of docs/webhooks.md, with the event's own type.
        const body = JSON.stringify({ id: d.id, type: d.event_type, test: d.is_test, data: { alert: facts, domain: { id: facts.domainId, hostname: facts.hostname } } });
        const timestamp = Math.floor(o.clock.now().getTime() / 1000);
        return post(
          { url: c.url, headers: { "content-type": "application/json" }, body },
          { [EVENT_HEADER]: d.event_type, [DELIVERY_HEADER]: d.id, [SIGNATURE_HEADER]: signatureHeader(c.signing_secret ?? "", timestamp, body) },
        );
      }
      default: {
        const _exhaustive: never = d.type;
        return _exhaustive;
      }
    }
  };

  return {
    name: "notification",
    cancelReason: (d) => (d.channel_deleted_at ? "channel was deleted" : null),
    attributes: (d) => ({ "ssltrackr.channel.id": d.channel_id, "ssltrackr.channel.type": d.type, "ssltrackr.delivery.id": d.id }),
    count(d, status, durationMs) {
      serviceMetrics().notificationDeliveries.add(1, { channel_type: d.type, status, test: d.is_test });
      serviceMetrics().notificationDeliveryDuration.record(durationMs / 1000, { channel_type: d.type });
    },
    async send(d) {
      try {
        if (Object.keys(d.sealed_secrets).length > 0 && !o.secrets) return { statusCode: null, error: "SSLTRACKR_SECRETS_KEY is not set: the channel's secrets cannot be opened" };
        const opened = Object.fromEntries(Object.entries(d.sealed_secrets).map(([k, sealed]) => [k, o.secrets!.open(sealed)]));
        const settings = { ...d.config, ...opened };
        if (d.event_type === DIGEST_EVENT) {
          if (d.type !== "email") return { statusCode: null, error: `a digest is sent by e-mail only, not by a ${d.type} channel` };
          const digest = JSON.parse(d.payload) as PreparedMail;
          return await mail(settings, { subject: digest.subject, text: digest.text, html: digest.html }, { "X-SSLTrackr-Event": DIGEST_EVENT, "X-SSLTrackr-Digest": digest.period });
        }
        const facts = JSON.parse(d.payload) as NotificationFacts;
        const { time_zone } = await o.settings.forUser(d.user_id);
        const message = buildMessage({ facts, timeZone: time_zone ?? "UTC", baseUrl: o.baseUrl, ...(await context(facts)) }, d.template);
        return await send(d, message, facts, settings);
      } catch (err) {
        if (err instanceof Refused) return { statusCode: null, error: err.message };
        return { statusCode: null, error: `request failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}
