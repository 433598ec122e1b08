// The stream of one monitored domain carries two concerns: its lifecycle (domainDecider)
// and its monitoring (check results and alerts). This composes them into the one decider
// the command handler runs on "domain-<id>", with snapshots so that deciding stays cheap
// on a stream that gains a check result every few hours for years.
import type { Decider } from "../infrastructure/commandHandling/decider.js";
import type { StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";
import { eventCodec } from "../infrastructure/eventStore/eventCodec.js";
import { monitoringEventDefinitions } from "../monitoring/checkEvents.js";
import {
  decideMonitoring,
  evolveMonitoring,
  retargetMonitoring,
  monitoringCommandTypes,
  type MonitoringCommand,
  type MonitoringEvent,
} from "../monitoring/monitoringDecider.js";
import { initialMonitoringState, type MonitoringState } from "../monitoring/monitoringState.js";
import { domainDecider, type DomainCommand, type DomainState } from "./domainDecider.js";
import { domainEventDefinitions, type DomainEvent } from "./events.js";

export interface DomainStreamState {
  readonly domain: DomainState;
  readonly monitoring: MonitoringState;
}
export type DomainStreamCommand = DomainCommand | MonitoringCommand;
export type DomainStreamEvent = DomainEvent | MonitoringEvent;
/** An SslChecked event's result: what projections declare the members they read of (`narrows`). */
export type SslCheckedResult = Extract<DomainStreamEvent, { type: "SslChecked" }>["data"]["result"];

const isMonitoringCommand = (c: DomainStreamCommand): c is MonitoringCommand => monitoringCommandTypes.has(c.type);
const domainEventTypes: ReadonlySet<string> = new Set(domainEventDefinitions.map((d) => d.type));
const isDomainEvent = (e: DomainStreamEvent): e is DomainEvent => domainEventTypes.has(e.type);

/** Monitoring follows the domain's target: a new hostname or port re-arms it (issue #10, 4). */
const evolveDomain = (state: DomainStreamState, event: DomainEvent): DomainStreamState => {
  const domain = domainDecider.evolve(state.domain, event);
  if (event.type !== "DomainUpdated") return { ...state, domain };
  const { hostname, port } = event.data.changes;
  if (hostname === undefined && port === undefined) return { ...state, domain };
  return { domain, monitoring: retargetMonitoring(state.monitoring, { hostname: hostname !== undefined }) };
};

export const domainStreamDecider: Decider<DomainStreamCommand, DomainStreamEvent, DomainStreamState> = {
  initialState: () => ({ domain: domainDecider.initialState(), monitoring: initialMonitoringState() }),
  decide: (command, state) =>
    isMonitoringCommand(command)
      ? decideMonitoring(command, state.domain, state.monitoring)
      : domainDecider.decide(command, state.domain),
  evolve: (state, event) =>
    isDomainEvent(event) ? evolveDomain(state, event) : { ...state, monitoring: evolveMonitoring(state.monitoring, event) },
};

export const domainStreamCodec = eventCodec([...domainEventDefinitions, ...monitoringEventDefinitions] as const);

export const domainStream: StreamDefinition<DomainStreamCommand, DomainStreamEvent, DomainStreamState> = {
  decider: domainStreamDecider,
  codec: domainStreamCodec,
  // 2: the monitoring state remembers the last registration found (whois.registration).
  // 3: a move to another hostname/port re-arms monitoring, so older snapshots may hold stale state.
  // 4: the ids of its latest checks (recentChecks).
  // 6: the served leaves' facts and the ARI look-ups (ssl.leaves, ssl.renewals; issue #14), and
  // the open alerts (openAlerts, issue #15). 4 and 5 were set on two branches at once.
  snapshots: { every: 20, stateVersion: 6 },
};
