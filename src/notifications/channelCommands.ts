// Application service for notification channels: validates a channel's settings for its type,
// vets every host it will connect to (SSRF guard), seals its secrets, then runs the decider.
// Returns the position to wait for before reading.
import type { Clock } from "../shared/clock.js";
import { SecretShownOnceError, UnavailableError, ValidationError } from "../shared/errors.js";
import { newEntityId } from "../infrastructure/commandHandling/idempotentIds.js";
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import { eventMetadata, type RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import type { Written } from "../infrastructure/commandHandling/written.js";
import { parseWith } from "../infrastructure/http/validation.js";
import { resolveTarget, TargetError } from "../infrastructure/network/targets.js";
import type { SecretBox } from "../infrastructure/secrets/secretBox.js";
import { generateSigningSecret } from "../webhooks/signature.js";
import type { WebhookTargetPolicy } from "../webhooks/webhookUrl.js";
import { channelHosts, channelSchemas, splitSecrets, type ChannelType } from "./channelTypes.js";
import { channelStream, requireOwnedChannel, type ChannelCommand, type ChannelFields } from "./channelDecider.js";
import { channelStreamName, type Routing, type Template } from "./events.js";

type Context = RequestContext & { userId: string };

export interface NewChannel {
  readonly type: ChannelType;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly routing: Routing;
  readonly template: Template | null;
}

export interface ChannelChanges {
  readonly name?: string | undefined;
  /** Fields to change; secret fields left out keep their value. */
  readonly config?: Record<string, unknown> | undefined;
  readonly routing?: Routing | undefined;
  readonly template?: Template | null | undefined;
  readonly isActive?: boolean | undefined;
}

export class ChannelCommands {
  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
    private readonly policy: WebhookTargetPolicy,
    private readonly secrets: SecretBox | null,
  ) {}

  /** For a `webhook` channel, the generated signing secret is returned here and never again. */
  async create(ctx: Context, input: NewChannel): Promise<{ channelId: string; signingSecret: string | null; position: Written | null }> {
    const signingSecret = input.type === "webhook" ? generateSigningSecret() : null;
    const settings = await this.vet(input.type, signingSecret ? { ...input.config, signing_secret: signingSecret } : input.config);
    const channelId = newEntityId(ctx, "notification channel");
    const command: ChannelCommand = { type: "CreateChannel", channelId, userId: ctx.userId, channelType: input.type, name: input.name, ...settings, routing: input.routing, template: input.template, now: this.clock.now() };
    const result = await this.handler.handle(channelStreamName(channelId), channelStream, command, eventMetadata(ctx));
    // Decided nothing: a retry (same Idempotency-Key) of a create that happened already.
    if (result.events.length === 0 && signingSecret) throw new SecretShownOnceError("notification channel", channelId);
    return { channelId, signingSecret, position: result.position };
  }

  async update(ctx: Context, channelId: string, input: ChannelChanges): Promise<Written | null> {
    const changes: Partial<ChannelFields> = { name: input.name, routing: input.routing, template: input.template, isActive: input.isActive };
    if (input.config !== undefined) {
      const { state } = await this.handler.load(channelStreamName(channelId), channelStream);
      const current = requireOwnedChannel(state, ctx.userId);
      // The stored secrets, opened, under the fields sent: the whole config is validated again.
      const opened = Object.fromEntries(Object.entries(current.sealedSecrets).map(([k, v]) => [k, this.box().open(v)]));
      Object.assign(changes, await this.vet(current.channelType, { ...current.config, ...opened, ...input.config }));
    }
    const command: ChannelCommand = { type: "UpdateChannel", userId: ctx.userId, changes, now: this.clock.now() };
    return (await this.handler.handle(channelStreamName(channelId), channelStream, command, eventMetadata(ctx))).position;
  }

  async remove(ctx: Context, channelId: string): Promise<Written | null> {
    const command: ChannelCommand = { type: "DeleteChannel", userId: ctx.userId, now: this.clock.now() };
    return (await this.handler.handle(channelStreamName(channelId), channelStream, command, eventMetadata(ctx))).position;
  }

  /** Validates the settings for the type, refuses hosts the SSRF guard refuses, and seals the secrets. */
  private async vet(type: ChannelType, raw: Record<string, unknown>): Promise<{ config: Record<string, unknown>; sealedSecrets: Record<string, string> }> {
    const valid = parseWith(channelSchemas[type].config, raw, "config") as Record<string, unknown>;
    for (const host of channelHosts(type, valid)) {
      try {
        await resolveTarget(host, this.policy);
      } catch (err) {
        if (err instanceof TargetError) throw new ValidationError(`Invalid config: ${host}: ${err.message}`);
        throw err;
      }
    }
    const { config, secrets } = splitSecrets(type, valid);
    const sealedSecrets = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, this.box().seal(v)]));
    return { config, sealedSecrets };
  }

  private box(): SecretBox {
    if (!this.secrets) throw new UnavailableError("Notification channels with secrets need SSLTRACKR_SECRETS_KEY to be set on the server", 3600);
    return this.secrets;
  }
}
