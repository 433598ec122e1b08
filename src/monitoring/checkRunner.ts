// Runs one check of a domain and records it on the domain's stream (which decides alerts).
// Called by the check workers for each job; the job id is the check id, and the recording's
// event ids derive from it, so a job that runs again after its result was recorded records
// nothing new and answers with what was recorded.
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import { workEventIds } from "../infrastructure/commandHandling/idempotentIds.js";
import type { RecordedEvent } from "../infrastructure/eventStore/eventStore.js";
import type { RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import { eventMetadata } from "../infrastructure/commandHandling/requestContext.js";
import type { Written } from "../infrastructure/commandHandling/written.js";
import type { SslCheckOk, SslCheckResult } from "../checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../checkers/registration/result.js";
import { domainStream, type DomainStreamCommand } from "../domains/domainStream.js";
import { domainStreamName } from "../domains/events.js";
import type { Clock } from "../shared/clock.js";
import type { AlertSettingsQueries } from "./alertSettingsQueries.js";
import type { CheckTrigger } from "./checkEvents.js";
import type { CheckKind } from "./checkJobs.js";
import type { Checkers } from "./checkers.js";
import { expiryCheckBasis } from "./probeSelection.js";
import { serviceMetrics } from "../infrastructure/telemetry/metrics.js";
import { withSpan } from "../infrastructure/telemetry/tracing.js";

export interface CheckRequest {
  /** Recorded as the check's id: derived from the job, stable across its retries. */
  readonly checkId: string;
  readonly domainId: string;
  readonly kind: CheckKind;
  readonly trigger: CheckTrigger;
}

export interface CheckRun {
  readonly result: SslCheckResult | RegistrationCheckResult;
  /** Null when nothing was recorded: this check id was recorded before. */
  readonly position: Written | null;
}

/** Runs one checker in a span and records its duration and outcome. */
const measured = <R extends { outcome: "ok" | "failed" }>(kind: CheckKind, trigger: CheckTrigger, check: () => Promise<R>): Promise<R> =>
  withSpan(`check ${kind}`, { "ssltrackr.check.kind": kind, "ssltrackr.check.trigger": trigger }, async (span) => {
    const started = performance.now();
    const result = await check();
    span.setAttribute("ssltrackr.check.outcome", result.outcome);
    serviceMetrics().checkDuration.record((performance.now() - started) / 1000, { kind, outcome: result.outcome, trigger });
    return result;
  });

/** The result a recorded check event carries (the first event of a check's append). */
function checkResultOf(recorded: RecordedEvent | undefined): CheckRun["result"] | null {
  const event = recorded && domainStream.codec.decode(recorded);
  return event && "result" in event.data ? event.data.result : null;
}

export interface ProbeHistory {
  /** The latest successful full probe of the domain's current target, from the read model. */
  lastFullProbe(domainId: string, target: { hostname: string; port: number }): Promise<SslCheckOk | null>;
  /** A full probe at least this often, in ms. */
  readonly fullProbeIntervalMs: number;
}

export class CheckRunner {
  constructor(
    private readonly handler: CommandHandler,
    private readonly checkers: Checkers,
    private readonly settings: AlertSettingsQueries,
    private readonly probes: ProbeHistory,
    private readonly clock: Clock,
  ) {}

  /** Checks and records; null when the domain is no longer monitored (nothing to check). */
  async run(request: CheckRequest, ctx: RequestContext): Promise<CheckRun | null> {
    const { domainId, kind, trigger, checkId } = request;
    const streamName = domainStreamName(domainId);
    // A retried job whose earlier attempt recorded its check (the worker died, or its wait for
    // the read models failed): answer with that recording, its result and position, so the
    // caller waits for the read models to show it, and the target is not probed again.
    const eventIds = workEventIds(checkId, streamName);
    const earlier = await this.handler.applied(streamName, eventIds);
    const recordedResult = earlier && checkResultOf(earlier.events[0]);
    if (earlier && recordedResult) return { result: recordedResult, position: earlier.position };
    const { state } = await this.handler.load(streamName, domainStream);
    const { domain } = state;
    if (domain.status !== "monitored") return null;
    const record = async (command: DomainStreamCommand & { result: CheckRun["result"] }): Promise<CheckRun> => {
      const metadata = eventMetadata({ ...ctx, userId: ctx.userId ?? domain.userId });
      const recorded = await this.handler.handle(streamName, domainStream, command, metadata, { eventIds });
      return { result: command.result, position: recorded.position };
    };
    const base = async () => ({ checkId, trigger, settings: await this.settings.forUser(domain.userId), now: this.clock.now() });
    if (kind === "ssl") {
      const basis = expiryCheckBasis(trigger, await this.probes.lastFullProbe(domainId, domain), this.clock.now(), this.probes.fullProbeIntervalMs);
      const result = await measured("ssl", trigger, () => this.checkers.ssl({ hostname: domain.hostname, port: domain.port }, basis));
      // At every SSL check's cadence (light or full), subject to the CA's Retry-After whatever the trigger.
      const renewals = state.monitoring.ssl.renewals;
      const cachedUntil = (id: string) => {
        const record = renewals.find((r) => r.certificateId === id);
        return record ? new Date(record.nextFetchAt) : null;
      };
      const renewalInfo = result.outcome === "ok" ? await this.checkers.renewalInfo?.(result, cachedUntil) : undefined;
      return record({ type: "RecordSslCheck", result, renewalInfo, ...(await base()) });
    }
    const result = await measured("whois", trigger, () => this.checkers.registration(domain.hostname));
    return record({ type: "RecordWhoisCheck", result, ...(await base()) });
  }
}
