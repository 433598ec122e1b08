// A domain's history for auditors: its events in order with who acted and why, and its
// state at any past moment, rebuilt by replaying the events through the same evolve
// function the write side uses (not a read-model query). Old event versions are upcast by
// the codec on the way.
import type { EventStore, RecordedEvent } from "../infrastructure/eventStore/eventStore.js";
import { NotFoundError } from "../shared/errors.js";
import { domainStreamCodec, domainStreamDecider, type DomainStreamEvent, type DomainStreamState } from "./domainStream.js";
import { domainStreamName } from "./events.js";

export interface HistoryEntry {
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  readonly recorded_at: string;
  readonly user_id: string | null;
  readonly api_key_id: string | null;
  /** The dashboard session that acted (when a person did, rather than an API key). */
  readonly session_id: string | null;
  readonly correlation_id: string | null;
  readonly causation_id: string | null;
}

const READ_PAGE = 500;

const str = (v: unknown) => (typeof v === "string" ? v : null);

const toEntry = (recorded: RecordedEvent, event: DomainStreamEvent): HistoryEntry => ({
  revision: Number(recorded.revision),
  type: event.type,
  data: event.data,
  recorded_at: recorded.createdAt.toISOString(),
  user_id: str(recorded.metadata.userId),
  api_key_id: str(recorded.metadata.apiKeyId),
  session_id: str(recorded.metadata.sessionId),
  correlation_id: str(recorded.metadata.correlationId),
  causation_id: str(recorded.metadata.causationId),
});

/** The write side's state in the API's naming (entries keep their events' data as recorded). */
function presentState({ domain, monitoring }: DomainStreamState) {
  if (domain.status === "absent") throw new NotFoundError("The domain did not exist at that time");
  const failures = (f: { consecutiveFailures: number; failureAlerted: boolean }) => ({
    consecutive_failures: f.consecutiveFailures,
    failure_alerted: f.failureAlerted,
  });
  return {
    domain: {
      status: domain.status,
      domain_id: domain.domainId,
      user_id: domain.userId,
      hostname: domain.hostname,
      port: domain.port,
      is_active: domain.isActive,
      notes: domain.notes,
      tags: [...domain.tags],
      muted_until: domain.mutedUntil,
    },
    monitoring: {
      ssl: {
        known_fingerprints: [...monitoring.ssl.knownFingerprints],
        last_grade: monitoring.ssl.lastGrade,
        grade_baseline: monitoring.ssl.gradeBaseline,
        invalid_alerted: monitoring.ssl.invalidAlerted,
        ...failures(monitoring.ssl),
      },
      whois: failures(monitoring.whois),
      alerts_raised: [...monitoring.raised],
    },
  };
}

export class DomainHistory {
  constructor(private readonly eventStore: EventStore) {}

  /** The domain's events, oldest first. Another user's (or no) domain is a 404. */
  async events(userId: string | null, domainId: string, page: number, perPage: number) {
    const stream = domainStreamName(domainId);
    await this.assertOwner(userId, stream);
    const [last] = await this.eventStore.readStream(stream, { direction: "backwards", maxCount: 1 });
    const total = last ? Number(last.revision) + 1 : 0;
    const recorded = await this.eventStore.readStream(stream, {
      fromRevision: BigInt((page - 1) * perPage),
      maxCount: perPage,
    });
    return {
      data: recorded.flatMap((r) => {
        const event = domainStreamCodec.decode(r);
        return event ? [toEntry(r, event)] : [];
      }),
      pagination: { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) },
    };
  }

  /** Every event of the stream, oldest first, decoded (CLI export). */
  async *all(domainId: string): AsyncIterable<HistoryEntry> {
    const stream = domainStreamName(domainId);
    for (let from = 0n; ; from += BigInt(READ_PAGE)) {
      const recorded = await this.eventStore.readStream(stream, { fromRevision: from, maxCount: READ_PAGE });
      for (const r of recorded) {
        const event = domainStreamCodec.decode(r);
        if (event) yield toEntry(r, event);
      }
      if (recorded.length < READ_PAGE) return;
    }
  }

  /**
   * The state as it was at `asOf`: every event recorded up to then, folded by evolve, with the
   * last check of each kind of the domain's target at that time (none yet after a move).
   */
  async stateAsOf(userId: string | null, domainId: string, asOf: Date) {
    const stream = domainStreamName(domainId);
    await this.assertOwner(userId, stream);
    let state: DomainStreamState = domainStreamDecider.initialState();
    let revision: number | null = null;
    let lastSsl: HistoryEntry | null = null;
    let lastWhois: HistoryEntry | null = null;
    for await (const entry of this.all(domainId)) {
      if (Date.parse(entry.recorded_at) > asOf.getTime()) break;
      const event = { type: entry.type, data: entry.data } as DomainStreamEvent;
      state = domainStreamDecider.evolve(state, event);
      revision = entry.revision;
      if (event.type === "SslChecked" || event.type === "SslCheckFailed") lastSsl = entry;
      if (event.type === "WhoisChecked" || event.type === "WhoisCheckFailed") lastWhois = entry;
      if (event.type === "DomainUpdated") {
        const { hostname, port } = event.data.changes;
        if (hostname !== undefined || port !== undefined) lastSsl = null;
        if (hostname !== undefined) lastWhois = null;
      }
    }
    if (revision === null) throw new NotFoundError("The domain did not exist at that time");
    return { as_of: asOf.toISOString(), revision, state: presentState(state), last_ssl_check: lastSsl, last_whois_check: lastWhois };
  }

  /** The owner is the user of the stream's first event (write-side truth, deleted domains included). */
  private async assertOwner(userId: string | null, stream: string): Promise<void> {
    const [first] = await this.eventStore.readStream(stream, { maxCount: 1 });
    const event = first && domainStreamCodec.decode(first);
    if (!event || event.type !== "DomainAdded" || (userId !== null && event.data.userId !== userId)) {
      throw new NotFoundError("Domain not found");
    }
  }
}
