// Rules of one notification channel: created once, owned by one user, gone once deleted; an
// update records only what changed. Validating settings, sealing secrets and the SSRF check
// are done before the command (channelCommands.ts): they need keys and DNS.
import { ConflictError, NotFoundError } from "../shared/errors.js";
import type { Decider } from "../infrastructure/commandHandling/decider.js";
import type { StreamDefinition } from "../infrastructure/commandHandling/commandHandler.js";
import type { ChannelType } from "./channelTypes.js";
import { channelEventCodec, type ChannelEvent, type Routing, type Template } from "./events.js";

export interface ChannelFields {
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly sealedSecrets: Record<string, string>;
  readonly routing: Routing;
  readonly template: Template | null;
  readonly isActive: boolean;
}

export type ChannelState =
  | { readonly status: "absent" }
  | ({ readonly status: "active" | "deleted"; readonly channelId: string; readonly userId: string; readonly channelType: ChannelType } & ChannelFields);

export type ChannelCommand =
  | ({ readonly type: "CreateChannel"; readonly channelId: string; readonly userId: string; readonly channelType: ChannelType; readonly now: Date } & Omit<ChannelFields, "isActive">)
  | { readonly type: "UpdateChannel"; readonly userId: string; readonly changes: Partial<ChannelFields>; readonly now: Date }
  | { readonly type: "DeleteChannel"; readonly userId: string; readonly now: Date };

export const CHANNEL_NOT_FOUND = "Notification channel not found";

export const requireOwnedChannel = (state: ChannelState, userId: string) => {
  // Another user's channel is indistinguishable from a missing one.
  if (state.status !== "active" || state.userId !== userId) throw new NotFoundError(CHANNEL_NOT_FOUND);
  return state;
};

const changedFields = (current: ChannelFields, wanted: Partial<ChannelFields>): Partial<ChannelFields> =>
  Object.fromEntries(
    Object.entries(wanted).filter(([k, v]) => v !== undefined && JSON.stringify(current[k as keyof ChannelFields]) !== JSON.stringify(v)),
  );

export const channelDecider: Decider<ChannelCommand, ChannelEvent, ChannelState> = {
  initialState: () => ({ status: "absent" }),

  decide(command, state) {
    switch (command.type) {
      case "CreateChannel": {
        if (state.status !== "absent") throw new ConflictError("Notification channel already exists");
        const { type: _, now, ...data } = command;
        return [{ type: "NotificationChannelCreated", data: { ...data, createdAt: now.toISOString() } }];
      }
      case "UpdateChannel": {
        const current = requireOwnedChannel(state, command.userId);
        const changes = changedFields(current, command.changes);
        if (Object.keys(changes).length === 0) return [];
        const { channelId, userId } = current;
        return [{ type: "NotificationChannelUpdated", data: { channelId, userId, changes, updatedAt: command.now.toISOString() } }];
      }
      case "DeleteChannel": {
        const { channelId, userId } = requireOwnedChannel(state, command.userId);
        return [{ type: "NotificationChannelDeleted", data: { channelId, userId, deletedAt: command.now.toISOString() } }];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case "NotificationChannelCreated": {
        const { createdAt: _, ...data } = event.data;
        return { status: "active", ...data, isActive: true };
      }
      case "NotificationChannelUpdated": {
        if (state.status === "absent") return state;
        const defined = Object.fromEntries(Object.entries(event.data.changes).filter(([, v]) => v !== undefined));
        return { ...state, ...defined };
      }
      case "NotificationChannelDeleted":
        return state.status === "absent" ? state : { ...state, status: "deleted" };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};

export const channelStream: StreamDefinition<ChannelCommand, ChannelEvent, ChannelState> = { decider: channelDecider, codec: channelEventCodec };
