// The kinds of notification channel (issue #15, 2) and what each needs. A channel's settings
// are split in two: `config`, returned by the API, and secrets (passwords, tokens, routing
// keys, webhook URLs that embed a token), sealed at rest (secretBox.ts) and never returned.
// Base URLs of the hosted services are settings so that tests (and EU regions) can change them.
import { z } from "zod";

export const channelTypes = ["email", "slack", "teams", "discord", "telegram", "pagerduty", "opsgenie", "ntfy", "webhook"] as const;
export type ChannelType = (typeof channelTypes)[number];

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const email = z.email();
/** An address, or a display name with one: "SSLTrackr <alerts@example.com>" (RFC 5322 name-addr). */
const mailbox = z
  .string()
  .max(320)
  .refine((v) => email.safeParse(/<([^<>]+)>\s*$/.exec(v)?.[1] ?? v).success, "must be an e-mail address, optionally with a display name: Name <a@example.com>");

/** Per type: the config schema (secrets included, as a request sends them) and which fields are secrets. */
export const channelSchemas = {
  email: {
    config: z.strictObject({
      smtp_host: z.string().min(1).max(253),
      smtp_port: z.number().int().min(1).max(65535).default(587),
      /** starttls: plain connection upgraded by STARTTLS (RFC 3207), required; tls: TLS from the start (RFC 8314); none: local relays only. */
      security: z.enum(["starttls", "tls", "none"]).default("starttls"),
      username: z.string().max(256).optional(),
      password: z.string().max(1024).optional(),
      from: mailbox,
      recipients: z.array(z.email()).min(1).max(20),
    }),
    secrets: ["password"],
  },
  slack: { config: z.strictObject({ webhook_url: httpUrl }), secrets: ["webhook_url"] },
  teams: { config: z.strictObject({ webhook_url: httpUrl }), secrets: ["webhook_url"] },
  discord: { config: z.strictObject({ webhook_url: httpUrl }), secrets: ["webhook_url"] },
  telegram: {
    config: z.strictObject({
      bot_token: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, "a bot token from @BotFather (<digits>:<token>)"),
      chat_id: z.union([z.string().min(1).max(64), z.number().int()]).transform(String),
      api_base_url: httpUrl.default("https://api.telegram.org"),
    }),
    secrets: ["bot_token"],
  },
  pagerduty: {
    config: z.strictObject({
      routing_key: z.string().min(1).max(64),
      api_base_url: httpUrl.default("https://events.pagerduty.com"),
    }),
    secrets: ["routing_key"],
  },
  opsgenie: {
    config: z.strictObject({
      api_key: z.string().min(1).max(128),
      /** https://api.eu.opsgenie.com for the EU instance. */
      api_base_url: httpUrl.default("https://api.opsgenie.com"),
    }),
    secrets: ["api_key"],
  },
  ntfy: {
    config: z.strictObject({
      server_url: httpUrl.default("https://ntfy.sh"),
      topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, "letters, digits, - and _ (at most 64)"),
      access_token: z.string().max(256).optional(),
    }),
    secrets: ["access_token"],
  },
  /** The signed webhook of docs/webhooks.md; its signing secret is generated and shown once. */
  webhook: { config: z.strictObject({ url: httpUrl, signing_secret: z.string().optional() }), secrets: ["signing_secret"] },
} as const satisfies Record<ChannelType, { config: z.ZodType; secrets: readonly string[] }>;

export type ChannelConfig = Record<string, unknown>;

/** Splits a validated config into what the API returns and the secrets to seal. */
export function splitSecrets(type: ChannelType, config: ChannelConfig): { config: ChannelConfig; secrets: Record<string, string> } {
  const secretFields: readonly string[] = channelSchemas[type].secrets;
  const open: ChannelConfig = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    if (secretFields.includes(k)) secrets[k] = String(v);
    else open[k] = v;
  }
  return { config: open, secrets };
}

/** The outbound targets a channel connects to (each goes through the SSRF guard). */
export function channelHosts(type: ChannelType, config: ChannelConfig & Record<string, unknown>): string[] {
  const url = (k: string) => (typeof config[k] === "string" ? [new URL(config[k]).hostname] : []);
  switch (type) {
    case "email":
      return [String(config["smtp_host"])];
    case "slack":
    case "teams":
    case "discord":
      return url("webhook_url");
    case "telegram":
    case "pagerduty":
    case "opsgenie":
      return url("api_base_url");
    case "ntfy":
      return url("server_url");
    case "webhook":
      return url("url");
    default: {
      const _exhaustive: never = type;
      return _exhaustive;
    }
  }
}

export const severities = ["info", "warning", "critical"] as const;
