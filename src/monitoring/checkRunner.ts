// Runs checks of one domain and records them: claim (domain, kind), run the checker,
// record the result on the domain's stream (which decides alerts), release. Used by
// POST /check, by a newly added domain, and by the scheduler.
import { randomUUID } from "node:crypto";
import type { CommandHandler } from "../infrastructure/commandHandling/commandHandler.js";
import type { RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import { eventMetadata } from "../infrastructure/commandHandling/requestContext.js";
import { combineWritten, type Written } from "../infrastructure/commandHandling/written.js";
import type { SslCheckResult } from "../checkers/ssl/result.js";
import type { RegistrationCheckResult } from "../checkers/registration/result.js";
import { domainStream, type DomainStreamCommand } from "../domains/domainStream.js";
import { domainStreamName } from "../domains/events.js";
import type { Clock } from "../shared/clock.js";
import { NotFoundError } from "../shared/errors.js";
import type { AlertSettingsQueries } from "./alertSettingsQueries.js";
import type { CheckClaims, CheckKind } from "./checkClaims.js";
import type { CheckTrigger } from "./checkEvents.js";
import type { Checkers } from "./checkers.js";
import { serviceMetrics } from "../infrastructure/telemetry/metrics.js";
import { withSpan } from "../infrastructure/telemetry/tracing.js";

export interface CheckOutcome {
  readonly ssl?: SslCheckResult;
  readonly whois?: RegistrationCheckResult;
  /** Kinds skipped because another process is checking them right now. */
  readonly busy: CheckKind[];
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

export class CheckRunner {
  constructor(
    private readonly handler: CommandHandler,
    private readonly checkers: Checkers,
    private readonly claims: CheckClaims,
    private readonly settings: AlertSettingsQueries,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks `kinds` of a domain now. `userId` restricts it to the owner's domain (API calls).
   * A kind being checked elsewhere is skipped (`busy`), or waited for up to `waitForBusyMs`
   * (a user asking for a check right after adding a domain should get one, not an error).
   */
  async run(
    domainId: string,
    kinds: readonly CheckKind[],
    trigger: CheckTrigger,
    ctx: RequestContext,
    options: { userId?: string; waitForBusyMs?: number } = {},
  ): Promise<CheckOutcome> {
    const { userId = null, waitForBusyMs = 0 } = options;
    const { domain } = (await this.handler.load(domainStreamName(domainId), domainStream)).state;
    if (domain.status !== "monitored" || (userId !== null && domain.userId !== userId)) {
      throw new NotFoundError("Domain not found");
    }
    const claimed = await Promise.all(kinds.map(async (k) => ((await this.claim(domainId, k, waitForBusyMs)) ? k : null)));
    const mine = claimed.filter((k): k is CheckKind => k !== null);
    try {
      const [ssl, whois] = await Promise.all([
        mine.includes("ssl") ? measured("ssl", trigger, () => this.checkers.ssl({ hostname: domain.hostname, port: domain.port })) : undefined,
        mine.includes("whois") ? measured("whois", trigger, () => this.checkers.registration(domain.hostname)) : undefined,
      ]);
      const settings = await this.settings.forUser(domain.userId);
      const metadata = eventMetadata({ ...ctx, userId: ctx.userId ?? domain.userId });
      const record = (command: DomainStreamCommand) =>
        this.handler.handle(domainStreamName(domainId), domainStream, command, metadata);
      let position: Written | null = null;
      const base = { trigger, settings, now: this.clock.now() };
      for (const recorded of [
        ssl && (await record({ type: "RecordSslCheck", checkId: randomUUID(), result: ssl, ...base })),
        whois && (await record({ type: "RecordWhoisCheck", checkId: randomUUID(), result: whois, ...base })),
      ]) {
        position = combineWritten(position, recorded?.position);
      }
      return {
        ...(ssl ? { ssl } : {}),
        ...(whois ? { whois } : {}),
        busy: kinds.filter((k) => !mine.includes(k)),
        position,
      };
    } finally {
      await Promise.all(mine.map((k) => this.claims.release(domainId, k)));
    }
  }

  private async claim(domainId: string, kind: CheckKind, waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (!(await this.claims.tryClaim(domainId, kind))) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
    return true;
  }
}
