// Local stand-ins for the chat and incident services notifications go to (issue #15): one
// HTTP server on 127.0.0.1, a path prefix per provider, each validating requests against the
// provider's documented format and answering as the provider does (a 400 for a request it
// would refuse). Formats: Slack incoming webhooks + Block Kit limits; Teams Workflows webhook
// with an Adaptive Card attachment; Discord execute-webhook limits; Telegram Bot API
// sendMessage; PagerDuty Events API v2 /v2/enqueue; Opsgenie Alert API v2; ntfy JSON publish.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { eventually } from "./eventually.js";

const text = (max: number) => z.string().min(1).max(max);
const isoInstant = z.iso.datetime({ offset: true });

const slack = z.object({
  text: text(40_000),
  blocks: z
    .array(
      z.discriminatedUnion("type", [
        z.object({ type: z.literal("header"), text: z.object({ type: z.literal("plain_text"), text: text(150), emoji: z.boolean().optional() }) }),
        z.object({ type: z.literal("section"), text: z.object({ type: z.enum(["mrkdwn", "plain_text"]), text: text(3000) }) }),
        z.object({
          type: z.literal("actions"),
          elements: z.array(z.object({ type: z.literal("button"), text: z.object({ type: z.literal("plain_text"), text: text(75) }), url: z.url().max(3000) })).max(25),
        }),
      ]),
    )
    .max(50),
});

const teams = z.object({
  type: z.literal("message"),
  attachments: z
    .array(
      z.object({
        contentType: z.literal("application/vnd.microsoft.card.adaptive"),
        contentUrl: z.null().optional(),
        content: z.object({
          $schema: z.string().optional(),
          type: z.literal("AdaptiveCard"),
          version: z.string().regex(/^1\.\d$/),
          body: z.array(z.object({ type: z.enum(["TextBlock", "FactSet", "Container", "ColumnSet"]) }).loose()).min(1),
          actions: z.array(z.object({ type: z.literal("Action.OpenUrl"), title: z.string(), url: z.url() })).optional(),
        }),
      }),
    )
    .length(1),
});

const discord = z
  .object({
    content: z.string().max(2000).optional(),
    username: z.string().max(80).optional(),
    embeds: z
      .array(
        z.object({
          title: z.string().max(256).optional(),
          description: z.string().max(4096).optional(),
          url: z.url().optional(),
          color: z.number().int().min(0).max(0xffffff).optional(),
          timestamp: isoInstant.optional(),
          fields: z.array(z.object({ name: text(256), value: text(1024), inline: z.boolean().optional() })).max(25).optional(),
        }),
      )
      .max(10)
      .optional(),
    allowed_mentions: z.object({ parse: z.array(z.string()) }).optional(),
  })
  .refine((b) => b.content || (b.embeds && b.embeds.length > 0), "content or embeds required");

const telegram = z.object({
  chat_id: z.union([z.string(), z.number()]),
  text: text(4096),
  parse_mode: z.enum(["HTML", "MarkdownV2", "Markdown"]).optional(),
  link_preview_options: z.object({ is_disabled: z.boolean() }).optional(),
});

const pagerDuty = z.discriminatedUnion("event_action", [
  z.object({
    routing_key: z.string().min(1),
    event_action: z.literal("trigger"),
    dedup_key: z.string().max(255).optional(),
    payload: z.object({
      summary: text(1024),
      source: text(255),
      severity: z.enum(["critical", "error", "warning", "info"]),
      timestamp: isoInstant.optional(),
      component: z.string().optional(),
      group: z.string().optional(),
      class: z.string().optional(),
      custom_details: z.record(z.string(), z.unknown()).optional(),
    }),
    client: z.string().optional(),
    client_url: z.url().optional(),
    links: z.array(z.object({ href: z.url(), text: z.string() })).optional(),
  }),
  z.object({ routing_key: z.string().min(1), event_action: z.enum(["acknowledge", "resolve"]), dedup_key: z.string().min(1).max(255) }),
]);

const opsgenieCreate = z.object({
  message: text(130),
  alias: z.string().max(512).optional(),
  description: z.string().max(15_000).optional(),
  priority: z.enum(["P1", "P2", "P3", "P4", "P5"]).optional(),
  source: z.string().max(100).optional(),
  entity: z.string().max(512).optional(),
  tags: z.array(z.string()).max(20).optional(),
  details: z.record(z.string(), z.string()).optional(),
});
const opsgenieAction = z.object({ source: z.string().optional(), note: z.string().max(25_000).optional(), user: z.string().optional() });

const ntfy = z.object({
  topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/),
  message: z.string().optional(),
  title: z.string().optional(),
  priority: z.number().int().min(1).max(5).optional(),
  tags: z.array(z.string()).optional(),
  click: z.url().optional(),
});

export type Provider = "slack" | "teams" | "discord" | "telegram" | "pagerduty" | "opsgenie" | "ntfy" | "webhook";

export interface ProviderRequest {
  readonly provider: Provider;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly body: Record<string, unknown>;
}

/** Which schema a request is checked against, and the provider's success answer. */
function route(path: string, headers: IncomingHttpHeaders): { provider: Provider; schema: z.ZodType; status: number; answer: unknown } | { error: string } {
  if (path.startsWith("/slack/")) return { provider: "slack", schema: slack, status: 200, answer: "ok" };
  if (path.startsWith("/teams/")) return { provider: "teams", schema: teams, status: 202, answer: "" };
  if (path.startsWith("/discord/")) return { provider: "discord", schema: discord, status: 204, answer: "" };
  if (/^\/telegram\/bot\d+:[A-Za-z0-9_-]+\/sendMessage$/.test(path)) return { provider: "telegram", schema: telegram, status: 200, answer: { ok: true, result: { message_id: 1 } } };
  if (path === "/pagerduty/v2/enqueue") return { provider: "pagerduty", schema: pagerDuty, status: 202, answer: { status: "success", message: "Event processed" } };
  if (path.startsWith("/opsgenie/v2/alerts")) {
    if (!/^GenieKey \S+$/.test(String(headers.authorization))) return { error: "missing GenieKey authorization" };
    if (path === "/opsgenie/v2/alerts") return { provider: "opsgenie", schema: opsgenieCreate, status: 202, answer: { result: "Request will be processed", requestId: "r1" } };
    if (/^\/opsgenie\/v2\/alerts\/[^/]+\/(close|acknowledge)\?identifierType=alias$/.test(path)) return { provider: "opsgenie", schema: opsgenieAction, status: 202, answer: { result: "Request will be processed" } };
    return { error: `unknown Opsgenie path ${path}` };
  }
  if (path === "/ntfy") return { provider: "ntfy", schema: ntfy, status: 200, answer: { id: "x", event: "message" } };
  if (path === "/webhook") return { provider: "webhook", schema: z.object({ id: z.uuid(), type: z.string(), data: z.object({}).loose() }).loose(), status: 200, answer: "ok" };
  return { error: `no provider at ${path}` };
}

export interface ProviderReceivers {
  readonly baseUrl: string;
  readonly received: ProviderRequest[];
  /** Requests refused as not in the provider's format, with the reason. */
  readonly refused: { path: string; reason: string }[];
  of(provider: Provider): ProviderRequest[];
  waitFor(predicate: (received: ProviderRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startProviderReceivers(): Promise<ProviderReceivers> {
  const received: ProviderRequest[] = [];
  const refused: { path: string; reason: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "";
      const refuse = (reason: string) => {
        refused.push({ path, reason });
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: reason }));
      };
      if (req.method !== "POST" || !String(req.headers["content-type"]).startsWith("application/json")) return refuse("POST application/json expected");
      const r = route(path, req.headers);
      if ("error" in r) return refuse(r.error);
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return refuse("not JSON");
      }
      const valid = r.schema.safeParse(body);
      if (!valid.success) return refuse(`${r.provider}: ${valid.error.message}`);
      received.push({ provider: r.provider, path, headers: req.headers, raw, body: body as Record<string, unknown> });
      res.writeHead(r.status, { "content-type": "application/json" }).end(r.status === 204 ? undefined : JSON.stringify(r.answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    refused,
    of: (provider) => received.filter((r) => r.provider === provider),
    async waitFor(predicate, timeoutMs = 10_000) {
      await eventually(
        () => `receivers get what was expected (got ${received.map((r) => r.provider).join(", ")}; refused ${JSON.stringify(refused)})`,
        () => predicate(received),
        { timeoutMs },
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
