// The analytics projection's fold: a batch of events in, each table's rows out, with no I/O.
// What the batch does not carry comes in as BatchState, read once per batch (batchState.ts).
// The batch is cut where an event closes days: those days are recorded from the tables as
// the events before it left them, so each part's domains and check facts are written first.
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import type { Decoded } from "../../src/infrastructure/projections/projection.js";
import { RowChanges, type Row } from "../../src/infrastructure/projections/rowWrites.js";
import { alertRow } from "./alerts.js";
import { certificateCheckRow } from "./certificateChecks.js";
import { RenewalFold, certificateKey, type Baseline } from "./certificateRenewals.js";
import { dayOf, type FinishedDays } from "./dailyDomainStatus.js";
import { foldLifecycle } from "./domains.js";
import { checkFacts } from "./domainStatusCurrent.js";
import { registrationRow } from "./registrations.js";

export type AnalyticsEvent = Decoded<DomainStreamEvent>;

/** What the tables hold that a batch needs: see batchNeeds. */
export interface BatchState {
  /** The cursor's open day ("YYYY-MM-DD"); null before the first event ever. */
  readonly openDay: string | null;
  /** domain_id -> user_id of the domains the batch checks. */
  readonly owners: ReadonlyMap<string, string>;
  /** By certificateKey: the baselines stored before the batch, its own checks left out. */
  readonly baselines: ReadonlyMap<string, Baseline>;
}

/** Which rows a batch needs read: owners of the domains it checks but does not add, baselines of what its SSL checks see. */
export interface BatchNeeds {
  readonly owners: readonly string[];
  readonly certificates: readonly { readonly domain_id: string; readonly hostname: string; readonly port: number }[];
  /** The batch's SSL checks, never their own baselines. */
  readonly checkIds: readonly string[];
}

export function batchNeeds(events: readonly AnalyticsEvent[]): BatchNeeds {
  const added = new Set<string>();
  const owners = new Set<string>();
  const certificates = new Map<string, BatchNeeds["certificates"][number]>();
  const checkIds: string[] = [];
  for (const { event } of events) {
    if (event.type === "DomainAdded") added.add(event.data.domainId);
    if ((event.type === "SslChecked" || event.type === "WhoisChecked") && !added.has(event.data.domainId)) owners.add(event.data.domainId);
    if (event.type !== "SslChecked") continue;
    const { hostname, port } = event.data.result;
    certificates.set(certificateKey(event.data.domainId, hostname, port), { domain_id: event.data.domainId, hostname, port });
    checkIds.push(event.data.checkId);
  }
  return { owners: [...owners], certificates: [...certificates.values()], checkIds };
}

/** Rows to write in order: `domains` and `facts`, then the days that `closes` (if any). */
export interface Part {
  /** analytics.domains, keyed by domain_id. */
  readonly domains: RowChanges;
  /** analytics.domain_status_current: per domain, its events' facts merged, with the last one's revision. */
  readonly facts: Map<string, Row>;
  readonly closes: FinishedDays | null;
}

export interface AnalyticsRows {
  readonly parts: readonly Part[];
  readonly certificateChecks: readonly Row[];
  readonly renewals: readonly Row[];
  readonly alerts: readonly Row[];
  /** The whole row of each domain's last successful registration check. */
  readonly registrations: readonly Row[];
  /** The cursor's new open day; null when it stays. */
  readonly openDay: string | null;
}

const newPart = () => ({ domains: new RowChanges("domain_id"), facts: new Map<string, Row>() });

/** Pure: the batch's rows, given the state its tables held before it. Throws on a check of a domain never added. */
export function foldAnalytics(events: readonly AnalyticsEvent[], state: BatchState): AnalyticsRows {
  const owners = new Map(state.owners);
  const ownerOf = (domainId: string) => owners.get(domainId) ?? fail(`analytics: check event for unknown domain ${domainId}`);
  const renewals = new RenewalFold(state.baselines);
  const checks = new Map<string, Row>();
  const alerts = new Map<string, Row>();
  const registrations = new Map<string, Row>();
  const parts: Part[] = [];
  let part = newPart();
  let openDay = state.openDay;
  for (const { event, recorded } of events) {
    const day = dayOf(event);
    if (openDay !== null && day > openDay) {
      parts.push({ ...part, closes: { from: openDay, until: day } });
      part = newPart();
    }
    if (openDay === null || day > openDay) openDay = day;
    const revision = recorded.revision.toString();
    foldLifecycle(part.domains, event, revision);
    const facts = checkFacts(event);
    if (facts) part.facts.set(event.data.domainId, { ...part.facts.get(event.data.domainId), domain_id: event.data.domainId, ...facts, stream_revision: revision });
    if (event.type === "DomainAdded") owners.set(event.data.domainId, event.data.userId);
    if (event.type === "AlertRaised" && !alerts.has(event.data.alertId)) alerts.set(event.data.alertId, alertRow(event.data));
    if (event.type === "WhoisChecked") registrations.set(event.data.domainId, registrationRow(ownerOf(event.data.domainId), event.data, revision));
    if (event.type === "SslChecked" && !checks.has(event.data.checkId)) {
      const userId = ownerOf(event.data.domainId);
      renewals.see(userId, event.data);
      checks.set(event.data.checkId, certificateCheckRow(userId, event.data));
    }
  }
  parts.push({ ...part, closes: null });
  return {
    parts,
    certificateChecks: [...checks.values()],
    renewals: [...renewals.renewals.values()],
    alerts: [...alerts.values()],
    registrations: [...registrations.values()],
    openDay: openDay !== state.openDay ? openDay : null,
  };
}

function fail(message: string): never {
  throw new Error(message);
}
