// Rules of one webhook: it is created once, belongs to one user, and is gone once deleted.
// Checking the URL's target (DNS, SSRF) is I/O and happens before the command is decided.
import { ConflictError, NotFoundError } from "../shared/errors.js";
import type { Decider } from "../infrastructure/commandHandling/decider.js";
import type { AlertType } from "../monitoring/checkEvents.js";
import type { WebhookEvent } from "./events.js";

export interface WebhookFields {
  readonly url: string;
  readonly alertTypes: readonly AlertType[];
  readonly description: string | null;
  readonly isActive: boolean;
}

export type WebhookState =
  | { readonly status: "absent" }
  | ({ readonly status: "active" | "deleted"; readonly webhookId: string; readonly userId: string } & WebhookFields);

export type WebhookCommand =
  | {
      readonly type: "CreateWebhook";
      readonly webhookId: string;
      readonly userId: string;
      readonly url: string;
      readonly alertTypes: readonly AlertType[];
      readonly description: string | null;
      readonly secret: string;
      readonly now: Date;
    }
  | { readonly type: "UpdateWebhook"; readonly userId: string; readonly changes: Partial<WebhookFields>; readonly now: Date }
  | { readonly type: "DeleteWebhook"; readonly userId: string; readonly now: Date };

export const WEBHOOK_NOT_FOUND = "Webhook not found";

const requireOwned = (state: WebhookState, userId: string) => {
  // Another user's webhook is indistinguishable from a missing one.
  if (state.status !== "active" || state.userId !== userId) throw new NotFoundError(WEBHOOK_NOT_FOUND);
  return state;
};

/** Alert types are a set: order and repeats carry no meaning. */
const sameTypes = (a: readonly AlertType[], b: readonly AlertType[]) =>
  a.length === b.length && a.every((t) => b.includes(t));

const changedFields = (current: WebhookFields, wanted: Partial<WebhookFields>) => {
  const changes: { url?: string; alertTypes?: AlertType[]; description?: string | null; isActive?: boolean } = {};
  if (wanted.url !== undefined && wanted.url !== current.url) changes.url = wanted.url;
  if (wanted.alertTypes !== undefined && !sameTypes(wanted.alertTypes, current.alertTypes)) {
    changes.alertTypes = [...wanted.alertTypes];
  }
  if (wanted.description !== undefined && wanted.description !== current.description) changes.description = wanted.description;
  if (wanted.isActive !== undefined && wanted.isActive !== current.isActive) changes.isActive = wanted.isActive;
  return changes;
};

export const webhookDecider: Decider<WebhookCommand, WebhookEvent, WebhookState> = {
  initialState: () => ({ status: "absent" }),

  decide(command, state) {
    switch (command.type) {
      case "CreateWebhook": {
        if (state.status !== "absent") throw new ConflictError("Webhook already exists");
        const { type: _, now, alertTypes, ...data } = command;
        return [{ type: "WebhookCreated", data: { ...data, alertTypes: [...alertTypes], createdAt: now.toISOString() } }];
      }
      case "UpdateWebhook": {
        const current = requireOwned(state, command.userId);
        const changes = changedFields(current, command.changes);
        if (Object.keys(changes).length === 0) return [];
        const { webhookId, userId } = current;
        return [{ type: "WebhookUpdated", data: { webhookId, userId, changes, updatedAt: command.now.toISOString() } }];
      }
      case "DeleteWebhook": {
        const { webhookId, userId } = requireOwned(state, command.userId);
        return [{ type: "WebhookDeleted", data: { webhookId, userId, deletedAt: command.now.toISOString() } }];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case "WebhookCreated": {
        const { webhookId, userId, url, alertTypes, description } = event.data;
        return { status: "active", webhookId, userId, url, alertTypes, description, isActive: true };
      }
      case "WebhookUpdated": {
        if (state.status === "absent") return state;
        const defined = Object.fromEntries(Object.entries(event.data.changes).filter(([, v]) => v !== undefined));
        return { ...state, ...defined };
      }
      case "WebhookDeleted":
        return state.status === "absent" ? state : { ...state, status: "deleted" };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
