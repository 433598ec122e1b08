// Application service for webhooks: vets the URL's target (DNS, SSRF guard), then runs the
// webhook decider. Returns the position to wait for before reading.
import type { Clock } from "../shared/clock.js";
import { SecretShownOnceError, ValidationError } from "../shared/errors.js";
import { newEntityId } from "../infrastructure/commandHandling/idempotentIds.js";
import type { CommandHandler, StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";
import { eventMetadata, type RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import type { Written } from "../infrastructure/commandHandling/written.js";
import { TargetError } from "../infrastructure/network/targets.js";
import type { AlertType } from "../monitoring/checkEvents.js";
import { webhookEventCodec, webhookStreamName, type WebhookEvent } from "./events.js";
import { generateSigningSecret } from "./signature.js";
import { webhookDecider, type WebhookCommand, type WebhookFields, type WebhookState } from "./webhookDecider.js";
import { resolveWebhookTarget, type WebhookTargetPolicy } from "./webhookUrl.js";

const webhookStream: StreamDefinition<WebhookCommand, WebhookEvent, WebhookState> = {
  decider: webhookDecider,
  codec: webhookEventCodec,
};

export interface NewWebhook {
  readonly url: string;
  readonly alertTypes: readonly AlertType[];
  readonly description: string | null;
}

type Context = RequestContext & { userId: string };

export class WebhookCommands {
  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
    private readonly policy: WebhookTargetPolicy,
  ) {}

  /** The secret is returned here and never again. */
  async create(ctx: Context, input: NewWebhook): Promise<{ webhookId: string; secret: string; position: Written | null }> {
    await this.vetTarget(input.url);
    const webhookId = newEntityId(ctx, "webhook");
    const secret = generateSigningSecret();
    const command: WebhookCommand = { type: "CreateWebhook", webhookId, userId: ctx.userId, ...input, secret, now: this.clock.now() };
    const result = await this.handler.handle(webhookStreamName(webhookId), webhookStream, command, eventMetadata(ctx));
    // Decided nothing: a retry (same Idempotency-Key) of a create that happened already.
    if (result.events.length === 0) throw new SecretShownOnceError("webhook", webhookId);
    return { webhookId, secret, position: result.position };
  }

  async update(ctx: Context, webhookId: string, changes: Partial<WebhookFields>): Promise<Written | null> {
    if (changes.url !== undefined) await this.vetTarget(changes.url);
    const command: WebhookCommand = { type: "UpdateWebhook", userId: ctx.userId, changes, now: this.clock.now() };
    const result = await this.handler.handle(webhookStreamName(webhookId), webhookStream, command, eventMetadata(ctx));
    return result.position;
  }

  async remove(ctx: Context, webhookId: string): Promise<Written | null> {
    const command: WebhookCommand = { type: "DeleteWebhook", userId: ctx.userId, now: this.clock.now() };
    const result = await this.handler.handle(webhookStreamName(webhookId), webhookStream, command, eventMetadata(ctx));
    return result.position;
  }

  /** A URL whose host is refused now would be refused at every delivery: say so at once. */
  private async vetTarget(url: string): Promise<void> {
    try {
      await resolveWebhookTarget(new URL(url), this.policy);
    } catch (err) {
      if (err instanceof TargetError) throw new ValidationError(`Invalid url: ${err.message}`);
      throw err;
    }
  }
}
