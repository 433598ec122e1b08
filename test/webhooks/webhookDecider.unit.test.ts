import { expect } from "chai";
import { webhookDecider, type WebhookCommand } from "../../src/webhooks/webhookDecider.js";
import type { WebhookEvent } from "../../src/webhooks/events.js";
import { ConflictError, NotFoundError } from "../../src/shared/errors.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(webhookDecider);

const webhookId = "3d0c5e1a-8b7f-4c2d-9e6a-1f2b3c4d5e01";
const owner = "5a3c1f7e-2d44-4b7a-8f11-0c9e8d7b6a01";
const stranger = "5a3c1f7e-2d44-4b7a-8f11-0c9e8d7b6a02";
const t0 = new Date("2026-02-01T10:00:00.000Z");
const t1 = new Date("2026-02-02T11:30:00.000Z");

const create: WebhookCommand = {
  type: "CreateWebhook",
  webhookId,
  userId: owner,
  url: "https://hooks.example.com/ssltrackr",
  alertTypes: ["ssl_expiry", "domain_expiry"],
  description: "Ops channel",
  secret: "whsec_abc",
  now: t0,
};
const created: WebhookEvent = {
  type: "WebhookCreated",
  data: {
    webhookId,
    userId: owner,
    url: "https://hooks.example.com/ssltrackr",
    alertTypes: ["ssl_expiry", "domain_expiry"],
    description: "Ops channel",
    secret: "whsec_abc",
    createdAt: t0.toISOString(),
  },
};
const deleted: WebhookEvent = { type: "WebhookDeleted", data: { webhookId, userId: owner, deletedAt: t1.toISOString() } };
const update = (changes: Extract<WebhookCommand, { type: "UpdateWebhook" }>["changes"], userId = owner): WebhookCommand => ({
  type: "UpdateWebhook",
  userId,
  changes,
  now: t1,
});
const remove = (userId = owner): WebhookCommand => ({ type: "DeleteWebhook", userId, now: t1 });

describe("webhook decider (unit)", () => {
  describe("CreateWebhook", () => {
    it("creates the webhook with its owner, fields, secret and the command's time", () => {
      expect(given([]).when(create)).to.deep.equal([created]);
    });

    it("refuses a webhook id that already exists, even after deletion", () => {
      expect(() => given([created]).when(create)).to.throw(ConflictError);
      expect(() => given([created, deleted]).when(create)).to.throw(ConflictError);
    });
  });

  describe("UpdateWebhook", () => {
    it("records only the fields that changed", () => {
      const events = given([created]).when(update({ url: "https://hooks.example.com/v2", description: "Ops channel", isActive: false }));
      expect(events).to.deep.equal([
        {
          type: "WebhookUpdated",
          data: { webhookId, userId: owner, changes: { url: "https://hooks.example.com/v2", isActive: false }, updatedAt: t1.toISOString() },
        },
      ]);
    });

    it("treats alert types as a set: the same types in another order change nothing", () => {
      expect(given([created]).when(update({ alertTypes: ["domain_expiry", "ssl_expiry"] }))).to.deep.equal([]);
      const [event] = given([created]).when(update({ alertTypes: ["ssl_expiry"] }));
      expect(event?.type === "WebhookUpdated" && event.data.changes).to.deep.equal({ alertTypes: ["ssl_expiry"] });
    });

    it("folds updates into the state", () => {
      const { state } = given([created, ...given([created]).when(update({ description: null, isActive: false }))]);
      expect(state).to.include({ status: "active", description: null, isActive: false, url: created.data.url });
    });

    it("answers NotFound for another user's webhook, a missing one or a deleted one", () => {
      expect(() => given([created]).when(update({ description: "x" }, stranger))).to.throw(NotFoundError, "Webhook not found");
      expect(() => given([]).when(update({ description: "x" }))).to.throw(NotFoundError);
      expect(() => given([created, deleted]).when(update({ description: "x" }))).to.throw(NotFoundError);
    });
  });

  describe("DeleteWebhook", () => {
    it("deletes the owner's webhook once", () => {
      expect(given([created]).when(remove())).to.deep.equal([deleted]);
      expect(given([created, deleted]).state.status).to.equal("deleted");
      expect(() => given([created, deleted]).when(remove())).to.throw(NotFoundError);
    });

    it("answers NotFound for another user's webhook", () => {
      expect(() => given([created]).when(remove(stranger))).to.throw(NotFoundError);
    });
  });
});
