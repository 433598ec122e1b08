// Sends queued deliveries: claims due rows, hands each to its transport (for webhooks: check
// the target against the SSRF guard again, as DNS may have changed since the webhook was saved,
// sign and POST the stored body), and records the attempt: delivered on success, otherwise
// retried on the backoff schedule until the last try, after which the delivery is dead. Any
// number of workers, in any number of processes, may run: the queue's leases keep them apart.
// The loop, leases, retries and log are the same for every outbox; notification channels
// (src/notifications, issue #15) bring their own transport.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { TargetError } from "../infrastructure/network/targets.js";
import type { Logger } from "../infrastructure/logging/logger.js";
import type { Clock } from "../shared/clock.js";
import type { AlertType } from "../monitoring/checkEvents.js";
import type { ClaimedBase, ClaimedDelivery, DeliveryQueue, NewTestDelivery } from "./deliveryQueue.js";
import { ALERT_RAISED, testPayload } from "./payload.js";
import { retryDelayMs } from "./retrySchedule.js";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature.js";
import { postWebhook } from "./webhookHttp.js";
import { resolveWebhookTarget, type WebhookTargetPolicy } from "./webhookUrl.js";
import { serviceMetrics } from "../infrastructure/telemetry/metrics.js";
import { contextFrom, SpanKind, withSpan } from "../infrastructure/telemetry/tracing.js";

export interface DeliveryWorkerOptions {
  /** Identifies this worker's leases. */
  readonly owner: string;
  readonly policy: WebhookTargetPolicy;
  /** Deadline of one attempt's DNS lookup and, separately, of its HTTP exchange. */
  readonly timeoutMs: number;
  readonly retryDelaysMs: readonly number[];
  readonly pollIntervalMs: number;
  /** How long a claimed delivery stays with this worker; must outlast an attempt. */
  readonly leaseMs?: number;
  /** Deliveries claimed and sent concurrently per round. */
  readonly batchSize?: number;
  readonly random?: () => number;
}

/** One attempt's answer: success is `error === null`; a status code when the receiver answered over HTTP. */
export interface SendResult {
  readonly statusCode: number | null;
  readonly error: string | null;
}

/** How one outbox's deliveries are sent; every failure is a SendResult, never an exception. */
export interface DeliveryTransport<Claimed extends ClaimedBase> {
  /** Names the span, the log lines and the metric. */
  readonly name: string;
  /** Why the delivery must not be sent at all (its target was deleted), or null. */
  cancelReason(d: Claimed): string | null;
  send(d: Claimed): Promise<SendResult>;
  /** Span attributes naming the target. */
  attributes(d: Claimed): Record<string, string>;
  /** Counts the attempt (and its duration) in /metrics. */
  count(d: Claimed, status: string, durationMs: number): void;
}

const USER_AGENT = "SSLTrackr-Webhooks/1";

/** The signed webhook POST of src/webhooks. */
export function webhookTransport(clock: Clock, options: { policy: WebhookTargetPolicy; timeoutMs: number }): DeliveryTransport<ClaimedDelivery> {
  return {
    name: "webhook",
    cancelReason: (d) => (d.webhook_deleted_at ? "webhook was deleted" : null),
    attributes: (d) => ({ "ssltrackr.webhook.id": d.webhook_id, "ssltrackr.delivery.id": d.id }),
    count: (d, status) => serviceMetrics().webhookDeliveries.add(1, { status, test: d.is_test }),
    async send(d) {
      const { timeoutMs, policy } = options;
      const url = new URL(d.url);
      let addresses: string[];
      try {
        addresses = await resolveWebhookTarget(url, { ...policy, timeoutMs });
      } catch (err) {
        const message = err instanceof TargetError ? err.message : String(err);
        return { statusCode: null, error: `refused target, not sent: ${message}` };
      }
      const timestamp = Math.floor(clock.now().getTime() / 1000);
      const headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        [EVENT_HEADER]: d.event_type,
        [DELIVERY_HEADER]: d.id,
        [SIGNATURE_HEADER]: signatureHeader(d.secret, timestamp, d.payload),
      };
      try {
        const statusCode = await postWebhook({ url, addresses, headers, body: d.payload, timeoutMs });
        const ok = statusCode >= 200 && statusCode < 300;
        return { statusCode, error: ok ? null : `receiver answered HTTP ${statusCode}` };
      } catch (err) {
        return { statusCode: null, error: `request failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}

export class DeliveryWorker<Claimed extends ClaimedBase = ClaimedDelivery> {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly leaseMs: number;

  private readonly transport: DeliveryTransport<Claimed>;

  constructor(
    private readonly queue: DeliveryQueue<Claimed>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DeliveryWorkerOptions,
    /** Default: signed webhooks (then `Claimed` is a webhook delivery). */
    transport?: DeliveryTransport<Claimed>,
  ) {
    this.leaseMs = options.leaseMs ?? 2 * options.timeoutMs + 30_000;
    this.transport = transport ?? (webhookTransport(clock, options) as unknown as DeliveryTransport<Claimed>);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops claiming; attempts in flight finish (each is bounded by the timeout). */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  /** Claims the due deliveries (up to a batch), sends them, and returns how many. */
  async runOnce(): Promise<number> {
    const claimed = await this.queue.claimDue(this.options.owner, this.clock.now(), this.leaseMs, this.options.batchSize ?? 10);
    await Promise.all(claimed.map((d) => this.attempt(d)));
    return claimed.length;
  }

  /** Queues a synthetic alert for a webhook and sends it at once (one try, no retries). */
  async sendTest(webhook: { id: string; userId: string; alertTypes: readonly AlertType[] }): Promise<string> {
    const id = randomUUID();
    const now = this.clock.now();
    const payload = JSON.stringify(testPayload(id, webhook.alertTypes[0] ?? "ssl_expiry", now));
    return this.sendNow({ id, targetId: webhook.id, userId: webhook.userId, eventType: ALERT_RAISED, payload, now });
  }

  /** Queues a test delivery and sends it at once (one try, no retries); returns its id. */
  async sendNow(row: NewTestDelivery): Promise<string> {
    // Leased to us from the start, so no other worker sends it too; if we die, it expires.
    await this.attempt(await this.queue.insertClaimed(this.options.owner, this.leaseMs, row));
    return row.id;
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (err) {
        this.logger.error(`${this.transport.name} delivery round failed; retrying`, { err });
      }
      if (claimed === 0) await sleep(this.options.pollIntervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One attempt, traced as part of the trace that raised the alert. */
  private attempt(d: Claimed): Promise<void> {
    return withSpan(`${this.transport.name}.deliver`, this.transport.attributes(d), () => this.attemptDelivery(d), {
      parent: contextFrom(d),
      kind: SpanKind.CLIENT,
    });
  }

  private async attemptDelivery(d: Claimed): Promise<void> {
    const name = this.transport.name;
    const log = { deliveryId: d.id, ...this.transport.attributes(d) };
    const cancelled = this.transport.cancelReason(d);
    if (cancelled) {
      await this.queue.cancel(this.options.owner, d.id, cancelled);
      this.logger.info(`${name} delivery cancelled: ${cancelled}`, log);
      return;
    }
    const attempt = d.attempts + 1;
    const attemptedAt = this.clock.now();
    const started = performance.now();
    const result = await this.transport.send(d);
    const durationMs = Math.round(performance.now() - started);
    const ok = result.error === null;
    const delay = ok || d.is_test ? null : retryDelayMs(attempt, this.options.retryDelaysMs, this.options.random);
    const status = ok ? "delivered" : delay === null ? "dead" : "pending";
    const nextAttemptAt = delay === null ? null : new Date(this.clock.now().getTime() + delay);
    const recorded = await this.queue.record(this.options.owner, d.id, { attempt, attemptedAt, durationMs, ...result, status, nextAttemptAt });
    this.transport.count(d, status, durationMs);
    const fields = { ...log, attempt, status, statusCode: result.statusCode, error: result.error, recorded };
    if (ok) this.logger.info(`${name} delivered`, fields);
    else this.logger.warn(status === "dead" ? `${name} delivery dead after its last attempt` : `${name} delivery failed`, fields);
  }
}
