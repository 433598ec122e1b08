// Rules of one monitored domain: it exists once, belongs to one user, and is gone once
// removed. Cross-domain uniqueness lives in hostnameReservation.ts.
import { ConflictError, NotFoundError } from "../shared/errors.js";
import type { Decider } from "../infrastructure/commandHandling/decider.js";
import type { DomainEvent } from "./events.js";

export interface DomainFields {
  readonly hostname: string;
  readonly port: number;
  readonly isActive: boolean;
  readonly notes: string | null;
  readonly tags: readonly string[];
  /** Notifications of its alerts are held back until this UTC instant (issue #15); alerts are still raised. */
  readonly mutedUntil: string | null;
}

export type DomainState =
  | { readonly status: "absent" }
  | ({ readonly status: "monitored" | "removed"; readonly domainId: string; readonly userId: string } & DomainFields);

export type DomainCommand =
  | {
      readonly type: "AddDomain";
      readonly domainId: string;
      readonly userId: string;
      readonly hostname: string;
      /** As the user sent it, before normalisation (kept for auditors); default: hostname. */
      readonly requestedHostname?: string;
      readonly port: number;
      readonly notes: string | null;
      readonly tags: readonly string[];
      readonly now: Date;
    }
  | { readonly type: "UpdateDomain"; readonly userId: string; readonly changes: Partial<DomainFields>; readonly now: Date }
  | { readonly type: "RemoveDomain"; readonly userId: string; readonly now: Date };

const requireOwned = (state: DomainState, userId: string) => {
  // Another user's domain is indistinguishable from a missing one.
  if (state.status !== "monitored" || state.userId !== userId) throw new NotFoundError("Domain not found");
  return state;
};

const changedFields = (current: DomainFields, wanted: Partial<DomainFields>): Partial<DomainFields> => {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wanted) as [keyof DomainFields, unknown][]) {
    if (value === undefined) continue;
    if (JSON.stringify(current[key]) !== JSON.stringify(value)) changes[key] = value;
  }
  return changes as Partial<DomainFields>;
};

export const domainDecider: Decider<DomainCommand, DomainEvent, DomainState> = {
  initialState: () => ({ status: "absent" }),

  decide(command, state) {
    switch (command.type) {
      case "AddDomain": {
        if (state.status !== "absent") throw new ConflictError("Domain already exists");
        const { type: _, now, requestedHostname, ...data } = command;
        return [
          {
            type: "DomainAdded",
            data: { ...data, requestedHostname: requestedHostname ?? data.hostname, tags: [...data.tags], addedAt: now.toISOString() },
          },
        ];
      }
      case "UpdateDomain": {
        const current = requireOwned(state, command.userId);
        const changes = changedFields(current, command.changes);
        if (Object.keys(changes).length === 0) return [];
        const { tags, ...rest } = changes;
        return [
          {
            type: "DomainUpdated",
            data: {
              domainId: current.domainId,
              // Only the changed keys: an explicit `tags: undefined` would make the decided
              // event differ from the one stored and read back.
              changes: tags ? { ...rest, tags: [...tags] } : rest,
              updatedAt: command.now.toISOString(),
            },
          },
        ];
      }
      case "RemoveDomain": {
        const current = requireOwned(state, command.userId);
        return [{ type: "DomainRemoved", data: { domainId: current.domainId, removedAt: command.now.toISOString() } }];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case "DomainAdded": {
        const { domainId, userId, hostname, port, notes, tags } = event.data;
        return { status: "monitored", domainId, userId, hostname, port, notes, tags, isActive: true, mutedUntil: null };
      }
      case "DomainUpdated": {
        if (state.status === "absent") return state;
        const defined = Object.fromEntries(Object.entries(event.data.changes).filter(([, v]) => v !== undefined));
        return { ...state, ...defined };
      }
      case "DomainRemoved":
        return state.status === "absent" ? state : { ...state, status: "removed" };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
