// The request each chat and incident service expects, built from a message (pure). Formats:
//   slack     incoming webhook, Block Kit (api.slack.com/messaging/webhooks, /reference/block-kit)
//   teams     Workflows "post to a channel when a webhook request is received": a message with
//             one Adaptive Card attachment (learn.microsoft.com, adaptive-card 1.4)
//   discord   webhook execute with an embed (discord.com/developers/docs/resources/webhook)
//   telegram  Bot API sendMessage, parse_mode HTML (core.telegram.org/bots/api#sendmessage)
//   pagerduty Events API v2 /v2/enqueue: trigger, acknowledge, resolve under one dedup_key
//   opsgenie  Alert API: create with an alias, then close / acknowledge by that alias
//   ntfy      publish as JSON to the server's root (docs.ntfy.sh/publish/#publish-as-json)
// The signed webhook keeps docs/webhooks.md's format (src/webhooks/payload.ts) and e-mail goes
// through mailer.ts; neither is built here.
import { createHash } from "node:crypto";
import type { NotificationFacts } from "./facts.js";
import { escapeHtml, sendTimeFacts, type Message } from "./message.js";

export interface HttpRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One key per alert fact (domain and dedupe key), so raise, acknowledge and resolve meet at the provider. */
export const incidentKey = (facts: Pick<NotificationFacts, "domainId" | "dedupeKey">): string =>
  `ssltrackr-${createHash("sha256").update(`${facts.domainId}|${facts.dedupeKey}`).digest("hex").slice(0, 40)}`;

const json = (url: string, body: unknown, headers: Record<string, string> = {}): HttpRequest => ({
  url,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const join = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`;
const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

const COLORS = { info: 0x3b82f6, warning: 0xf59e0b, critical: 0xdc2626, resolved: 0x16a34a } as const;
const colorOf = (f: NotificationFacts) => (f.event === "resolved" ? COLORS.resolved : COLORS[f.severity]);

/** The facts shown as label/value pairs (Teams FactSet, Discord fields). */
function factPairs(m: Message): [string, string][] {
  const v = m.variables;
  const pairs: [string, string][] = [["Host", v["hostname"]!], ["Severity", v["severity"]!]];
  if (v["expires_at_local"]) pairs.push(["Expires", `${v["expires_at_local"]} (${v["days_left"]} days left)`]);
  return [...pairs, ...sendTimeFacts(v)];
}

export function slackRequest(webhookUrl: string, m: Message): HttpRequest {
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: clip(m.title, 150), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: clip(m.text, 3000) } },
  ];
  if (m.link) blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in SSLTrackr" }, url: m.link }] });
  // `text` is the notification's fallback (and what screen readers get).
  return json(webhookUrl, { text: m.title, blocks });
}

export function teamsRequest(webhookUrl: string, m: Message): HttpRequest {
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: m.title, weight: "Bolder", size: "Medium", wrap: true },
      { type: "TextBlock", text: m.text, wrap: true },
      { type: "FactSet", facts: factPairs(m).map(([title, value]) => ({ title, value })) },
    ],
    ...(m.link ? { actions: [{ type: "Action.OpenUrl", title: "Open in SSLTrackr", url: m.link }] } : {}),
  };
  return json(webhookUrl, { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] });
}

export function discordRequest(webhookUrl: string, m: Message, f: NotificationFacts): HttpRequest {
  const embed = {
    title: clip(m.title, 256),
    description: clip(m.text, 4096),
    color: colorOf(f),
    timestamp: f.at,
    fields: factPairs(m).map(([name, value]) => ({ name, value: clip(value, 1024), inline: true })),
    ...(m.link ? { url: m.link } : {}),
  };
  // No mentions from alert text: a hostname cannot ping @everyone.
  return json(webhookUrl, { username: "SSLTrackr", embeds: [embed], allowed_mentions: { parse: [] } });
}

export function telegramRequest(config: { api_base_url: string; chat_id: string }, botToken: string, m: Message): HttpRequest {
  const text = `<b>${escapeHtml(m.title)}</b>\n${escapeHtml(m.text)}`;
  return json(join(config.api_base_url, `/bot${botToken}/sendMessage`), {
    chat_id: config.chat_id,
    text: clip(text, 4096),
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
  });
}

const PD_ACTIONS = { raised: "trigger", resolved: "resolve", acknowledged: "acknowledge" } as const;

export function pagerDutyRequest(config: { api_base_url: string }, routingKey: string, m: Message, f: NotificationFacts): HttpRequest {
  const base = { routing_key: routingKey, event_action: PD_ACTIONS[f.event], dedup_key: incidentKey(f) };
  if (f.event !== "raised") return json(join(config.api_base_url, "/v2/enqueue"), base);
  return json(join(config.api_base_url, "/v2/enqueue"), {
    ...base,
    payload: {
      summary: clip(m.title, 1024),
      source: f.hostname,
      // PD-CEF severities are critical, error, warning, info: ours map one to one.
      severity: f.severity,
      timestamp: f.triggeredAt,
      component: f.hostname,
      class: f.alertType,
      custom_details: Object.fromEntries(Object.entries(m.variables).filter(([, v]) => v !== "")),
    },
    client: "SSLTrackr",
    ...(m.link ? { client_url: m.link, links: [{ href: m.link, text: `${f.hostname} in SSLTrackr` }] } : {}),
  });
}

const OPSGENIE_PRIORITY = { info: "P5", warning: "P3", critical: "P1" } as const;

export function opsgenieRequest(config: { api_base_url: string }, apiKey: string, m: Message, f: NotificationFacts): HttpRequest {
  const auth = { authorization: `GenieKey ${apiKey}` };
  const alias = incidentKey(f);
  if (f.event !== "raised") {
    const action = f.event === "resolved" ? "close" : "acknowledge";
    return json(join(config.api_base_url, `/v2/alerts/${alias}/${action}?identifierType=alias`), { source: "SSLTrackr", note: m.text.split("\n")[0] }, auth);
  }
  return json(
    join(config.api_base_url, "/v2/alerts"),
    {
      message: clip(m.title, 130),
      alias,
      description: clip(m.text, 15000),
      priority: OPSGENIE_PRIORITY[f.severity],
      source: "SSLTrackr",
      entity: f.hostname,
      tags: ["ssltrackr", f.alertType],
      details: Object.fromEntries(Object.entries(m.variables).filter(([, v]) => v !== "")),
    },
    auth,
  );
}

const NTFY_PRIORITY = { info: 3, warning: 4, critical: 5 } as const;

export function ntfyRequest(config: { server_url: string; topic: string }, accessToken: string | undefined, m: Message, f: NotificationFacts): HttpRequest {
  return json(
    config.server_url.replace(/\/+$/, ""),
    {
      topic: config.topic,
      title: m.title,
      message: m.text,
      priority: f.event === "resolved" ? 2 : NTFY_PRIORITY[f.severity],
      tags: [f.event === "resolved" ? "white_check_mark" : "warning", f.alertType],
      ...(m.link ? { click: m.link } : {}),
    },
    accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  );
}
